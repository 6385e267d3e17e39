"""A stand-in for GOV.UK Notify's HTTP API: a real HTTP server in a thread that the official
client (`notifications-python-client`) talks to as it would to Notify.

It checks what Notify checks of a send (the JWT signed with the key's secret, issued by the
key's service id, fresh within 30 s; a known template; every placeholder given; a plausible
phone number or email address), renders the template as Notify would, answers 201 with Notify's
response shape, and records every request. It can be told to fail the next calls (a 500, a
429, a 400 ValidationError). Nothing of ours is mocked: our adapters go through the client, the
client through HTTP.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

# Notify allows the token's iat to be this far from its own clock, either way.
IAT_LEEWAY_S = 30
_PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")
_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    claims: dict[str, Any] | None
    status: int
    response: dict[str, Any]


@dataclass
class NotifyDouble:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    sms_template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    email_template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: list[Received] = field(default_factory=list)
    _failures: list[tuple[int, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BaseWSGIServer | None = None

    @property
    def api_key(self) -> str:
        return f"ma-clearance-test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the double first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def templates(self) -> dict[str, tuple[str, str | None, str]]:
        """Template id → (type, subject, body): the generic templates our config names."""
        return {
            self.sms_template_id: ("sms", None, "((body))"),
            self.email_template_id: ("email", "((subject))", "((body))"),
        }

    def fail_next(
        self,
        status: int,
        times: int = 1,
        error: str = "Exception",
        message: str = "Internal server error",
    ) -> None:
        with self._lock:
            self._failures.extend([(status, error, message)] * times)

    def sends(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.status == 201]

    def __enter__(self) -> NotifyDouble:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- the API ---------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        status, payload, claims = self._handle(request)
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            body = {}
        with self._lock:
            self.received.append(Received(request.path, body, claims, status, payload))
        response = Response(json.dumps(payload), status=status, mimetype="application/json")
        return response(environ, start_response)

    def _handle(self, request: Request) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
        kinds = {"/v2/notifications/sms": "sms", "/v2/notifications/email": "email"}
        if request.method != "POST" or request.path not in kinds:
            return 404, _error_body(404, "NotFound", "Not found"), None
        claims = self._authenticate(request.headers.get("Authorization", ""))
        if isinstance(claims, str):
            return 403, _error_body(403, "AuthError", claims), None
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, error, message = failure
            return status, _error_body(status, error, message), claims
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return 400, _error_body(400, "BadRequestError", "Invalid JSON supplied"), claims
        return (*self._send(kinds[request.path], body), claims)

    def _authenticate(self, header: str) -> dict[str, Any] | str:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"], "verify_iat": False},
            )
        except jwt.InvalidTokenError as exc:
            return f"Invalid token: {exc}"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > IAT_LEEWAY_S:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return claims

    def _send(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        template = self.templates().get(str(body.get("template_id")))
        if template is None or template[0] != kind:
            return 400, _error_body(400, "BadRequestError", "Template not found")
        to_field = "phone_number" if kind == "sms" else "email_address"
        to = re.sub(r"[\s()-]", "", str(body.get(to_field, "")))
        if not (_UK_MOBILE if kind == "sms" else _EMAIL).match(to):
            what = "Not a UK mobile number" if kind == "sms" else "Not a valid email address"
            return 400, _error_body(400, "ValidationError", f"{to_field} {what}")
        values = body.get("personalisation") or {}
        _kind, subject, text = template
        missing = sorted(
            {name for part in (subject or "", text) for name in _PLACEHOLDER.findall(part)}
            - set(values)
        )
        if missing:
            return 400, _error_body(
                400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
            )

        def render(part: str) -> str:
            return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), part)

        notification_id = str(uuid.uuid4())
        content: dict[str, Any] = {"body": render(text)}
        if kind == "sms":
            content["from_number"] = "GOVUK"
        else:
            content.update(
                subject=render(subject or ""),
                from_email="test@notifications.example",
                one_click_unsubscribe_url=None,
            )
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": body["template_id"],
                "version": 1,
                "uri": (
                    f"{self.base_url}/services/{self.service_id}/templates/{body['template_id']}"
                ),
            },
            "scheduled_for": None,
        }


def _error_body(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}
