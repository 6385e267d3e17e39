"""GOV.UK Frontend's assets, served by the app itself at /assets/: the stylesheet and script
(from the package's dist/govuk) and its fonts, images, manifest and rebrand images (from
dist/govuk/assets). The package is the npm one `make install` puts in node_modules
(package-lock.json pins it); GOVUK_FRONTEND_DIR names another dist/govuk (an image's copy).

The same for everyone and named by the pinned version: cacheable. send_from_directory refuses
any path outside the folder (404), so `..` opens nothing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[4]
DEFAULT_DIR = REPO / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# GOV.UK's accessible-autocomplete (the type-ahead over a <select>), pinned the same way;
# ACCESSIBLE_AUTOCOMPLETE_DIR names another dist folder (an image's copy).
AUTOCOMPLETE_DIR = REPO / "node_modules" / "accessible-autocomplete" / "dist"
AUTOCOMPLETE_FILES = frozenset(
    {"accessible-autocomplete.min.js", "accessible-autocomplete.min.css"}
)
# At the dist folder's top; everything else is under its assets/.
TOP_LEVEL = frozenset({"govuk-frontend.min.css", "govuk-frontend.min.js"})
MAX_AGE_S = 24 * 3600

# Also the home of the shared templates (frontdoor/layout.html, frontdoor/forms.html) and of
# the doors' own small stylesheet (static/frontdoor.css, at /assets/frontdoor/).
bp = Blueprint(
    "govuk_assets",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets/frontdoor",
)


def frontend_dir() -> Path:
    return Path(os.environ.get("GOVUK_FRONTEND_DIR") or DEFAULT_DIR)


@bp.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    root: Path = current_app.extensions["govuk_frontend_dir"]
    folder = root if filename in TOP_LEVEL else root / "assets"
    response = send_from_directory(folder, filename, max_age=MAX_AGE_S)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    return response


@bp.get("/assets/accessible-autocomplete/<filename>")
def autocomplete(filename: str) -> Response:
    if filename not in AUTOCOMPLETE_FILES:
        abort(404)
    folder = os.environ.get("ACCESSIBLE_AUTOCOMPLETE_DIR") or AUTOCOMPLETE_DIR
    response = send_from_directory(folder, filename, max_age=MAX_AGE_S)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    return response


def register(app: Flask) -> None:
    root = frontend_dir()
    if not (root / "govuk-frontend.min.css").is_file():
        # The pages still work (unstyled); the API never needed it.
        log.warning(
            "GOV.UK Frontend not found at %s: run `make install` (npm ci), or set "
            "GOVUK_FRONTEND_DIR to its dist/govuk folder",
            root,
        )
    app.extensions["govuk_frontend_dir"] = root
    app.register_blueprint(bp)
