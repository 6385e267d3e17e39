"""`/docs`: the OpenAPI document in Swagger UI, served entirely from this service.

The UI's files come from the pinned `swagger-ui-bundle` package (flask-smorest's default loads
them from a CDN), and the page has no inline script, so its Content-Security-Policy can allow
scripts from this origin only: the page works offline and loads nothing from anywhere else.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, send_from_directory, url_for
from markupsafe import escape
from swagger_ui_bundle import swagger_ui_path

# Swagger UI sets inline styles as it renders, and its stylesheet carries data: images.
DOCS_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

_INITIALISER = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: document.getElementById("swagger-ui").dataset.specUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null  // the default badge would come from validator.swagger.io
  });
};
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui" data-spec-url="{spec}"></div>
  <script src="{bundle}"></script>
  <script src="{preset}"></script>
  <script src="{init}"></script>
</body>
</html>
"""


def register_docs_page(app: Flask, title: str, spec_path: str = "/openapi.json") -> None:
    docs = Blueprint("swagger_ui", __name__, url_prefix="/docs")

    def _policy(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = DOCS_POLICY
        return response

    @docs.get("")
    def page() -> Response:
        asset = lambda name: url_for("swagger_ui.asset", filename=name)  # noqa: E731
        html = _PAGE.format(
            title=escape(title),
            spec=escape(spec_path),
            css=asset("swagger-ui.css"),
            bundle=asset("swagger-ui-bundle.js"),
            preset=asset("swagger-ui-standalone-preset.js"),
            init=url_for("swagger_ui.initialiser"),
        )
        return _policy(Response(html, mimetype="text/html"))

    @docs.get("/initialiser.js")
    def initialiser() -> Response:
        return _policy(Response(_INITIALISER, mimetype="text/javascript"))

    @docs.get("/ui/<path:filename>")
    def asset(filename: str) -> Response:
        response = send_from_directory(str(swagger_ui_path), filename, max_age=3600)
        return _policy(response)

    app.register_blueprint(docs)
