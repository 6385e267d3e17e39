"""The web app factory every service uses: errors, correlation ids, health, metrics, OpenAPI."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, Response, g, request
from flask_smorest import Api

from shared.config import Settings, load_settings
from shared.context import new_correlation_id, set_correlation_id
from shared.logs import configure_logging
from shared.platform import Platform, ServiceDefinition, build_platform
from shared.staff_tokens import StaffTokenVerifier
from shared.web.audit_routes import register_audit_routes
from shared.web.docs_page import register_docs_page
from shared.web.errors import (
    ErrorSchema,
    refuse_nul_characters,
    register_error_handlers,
)
from shared.web.hardening import refuse_deep_json, secure_api_headers
from shared.web.health import register_health
from shared.web.json_bodies import document_refusal, refuse_non_json_bodies
from shared.web.limits import install_rate_limits
from shared.web.metrics import install_metrics
from shared.web.metrics_access import MetricsDoor

log = logging.getLogger(__name__)
CORRELATION_HEADER = "X-Correlation-ID"


class _Api(Api):
    """flask-smorest's Api writing the OpenAPI document when it is first asked for, not at
    start-up: building it was most of an app's start (every web worker, every test's app).
    Routes, argument parsing and responses do not depend on it."""

    # The error body our handlers really send (flask-smorest documents its own otherwise).
    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, **spec_kwargs: Any) -> None:
        self._spec_kwargs_at_init = spec_kwargs
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._documenting = threading.Lock()

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def document(self) -> Any:
        """The OpenAPI document (an apispec APISpec), built once."""
        with self._documenting:
            if self.spec is None:
                super()._init_spec(**self._spec_kwargs_at_init)
                spec = self.spec
                assert spec is not None, "flask_smorest's _init_spec sets the spec"
                for blp, name, parameters in self._undocumented:
                    document_refusal(blp._docs)  # the 415 every JSON-reading view can answer
                    blp.register_views_in_doc(
                        self, self._app, spec, name=name, parameters=parameters
                    )
                    spec.tag({"name": name, "description": blp.description})
            return self.spec

    def _openapi_json(self) -> Any:
        self.document()
        return super()._openapi_json()


def create_service_app(definition: ServiceDefinition, settings: Settings | None = None) -> Flask:
    """Settings from the environment unless given, logging, platform, app: one call per service."""
    settings = settings or load_settings(definition.name)
    configure_logging(settings.service, settings.log_level)
    return create_web_app(definition, build_platform(settings))


def create_web_app(definition: ServiceDefinition, platform: Platform) -> Flask:
    settings = platform.settings
    app = Flask(definition.name)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        API_TITLE=definition.title,
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                }
            },
        },
    )
    app.extensions["platform"] = platform
    app.extensions["staff_tokens"] = StaffTokenVerifier(settings.oidc, platform.clock)
    api = _Api(app)
    register_error_handlers(app)
    _register_correlation(app)
    install_rate_limits(app, platform)  # a throttled source costs no parsing
    refuse_non_json_bodies(app)  # never a body read as no body (an empty draft)
    refuse_deep_json(app)  # before anything parses the body (the NUL check does)
    refuse_nul_characters(app)
    secure_api_headers(app)
    register_health(app, platform)
    install_metrics(
        app,
        platform,
        MetricsDoor(settings.metrics_allowed_networks, settings.metrics_token),
        definition.state_metrics,
    )
    register_docs_page(app, definition.title)
    definition.register_routes(api)
    register_audit_routes(api)
    if definition.configure_app is not None:
        definition.configure_app(app, platform)
    return app


def _register_correlation(app: Flask) -> None:
    @app.before_request
    def take_correlation_id() -> None:
        supplied = request.headers.get(CORRELATION_HEADER, "")
        g.correlation_id = supplied if 0 < len(supplied) <= 100 else new_correlation_id()
        g.started = time.perf_counter()
        set_correlation_id(g.correlation_id)

    @app.after_request
    def echo_correlation_id(response: Response) -> Response:
        response.headers[CORRELATION_HEADER] = g.get("correlation_id", "")
        return response

    @app.teardown_request
    def forget_correlation_id(_exc: BaseException | None) -> None:
        set_correlation_id(None)
