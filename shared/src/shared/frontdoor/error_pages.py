"""Error pages for a front door: HTML, where the JSON API answers JSON.

Blueprint handlers win over the app's JSON handlers for requests routed to the door, so nothing
a member of staff sees is a JSON body or a stack trace. Each door gives the few words that differ
(whom to ask, what its home page is), and its layout if it has one of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Blueprint, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError, NotFound
from shared.web.errors import DATABASE_UNAVAILABLE

log = logging.getLogger(__name__)

WORDS: dict[int, tuple[str, str]] = {
    400: (
        "The form could not be sent",
        "The page was open for too long or the form did not come from this site. "
        "Go back, reload the page and try again.",
    ),
    403: ("You do not have permission to do this", "Ask your manager if you think you should."),
    404: ("Page not found", "There is nothing here. Check the address or go back."),
    405: ("Page not found", "There is nothing here."),
    409: ("This cannot be done now", "The record has changed. Go back, reload and try again."),
    422: ("Some answers need correcting", "Go back and check your answers."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
    500: ("Sorry, there is a problem with the service", "Try again later. It has been logged."),
}


class ErrorPages:
    """The door's error page (`page`) and the handlers that answer with it."""

    def __init__(
        self,
        bp: Blueprint,
        words: Mapping[int, tuple[str, str]] | None = None,
        *,
        home_text: str,
        layout: str = "frontdoor/layout.html",
    ) -> None:
        self.home_text, self.layout = home_text, layout
        self.words = {**WORDS, **(words or {})}
        self.door = bp.name
        bp.register_error_handler(CSRFError, lambda _exc: self.page(400))
        bp.register_error_handler(NotFound, lambda _exc: self.page(404))
        # A refusal's own words could tell what exists: the door's standard words instead.
        bp.register_error_handler(
            DomainError, lambda exc: self.page(exc.status, str(exc) if exc.status != 403 else None)
        )
        bp.register_error_handler(HTTPException, lambda exc: self.page(exc.code or 500))
        for error in DATABASE_UNAVAILABLE:
            bp.register_error_handler(error, self._unavailable)
        bp.register_error_handler(Exception, self._unexpected)

    def page(self, status: int, detail: str | None = None) -> tuple[str, int]:
        title, body = self.words.get(status, self.words[500])
        html = render_template(
            "frontdoor/error.html",
            layout=self.layout,
            home_text=self.home_text,
            title=title,
            body=detail or body,
            status=status,
            me=g.get("frontdoor_user"),
            signed_in="frontdoor_user" in g,
        )
        return html, status

    def _unavailable(self, exc: Exception) -> tuple[str, int, dict[str, str]]:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        body, status = self.page(503)
        return body, status, {"Retry-After": "1"}

    def _unexpected(self, _exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error in the %s", self.door)
        return self.page(500)
