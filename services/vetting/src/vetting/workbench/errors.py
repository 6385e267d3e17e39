"""Error pages for the workbench (HTML, where the JSON API answers JSON), and its 404 page for
any other address under /workbench (after sign-in, so it tells a stranger nothing).

Blueprint handlers win over the app's JSON handlers for requests routed to the workbench, so
nothing a member of staff sees is a JSON body or a stack trace.
"""

from __future__ import annotations

import logging

from flask import g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError, NotFound
from shared.web.errors import DATABASE_UNAVAILABLE
from vetting.workbench.blueprint import bp

log = logging.getLogger(__name__)

TITLES = {
    400: (
        "The form could not be sent",
        "The page was open for too long or the form did not come from this site. "
        "Go back, reload the page and try again.",
    ),
    403: (
        "You do not have permission to do this",
        "Ask your vetting manager if you think you should.",
    ),
    404: ("Page not found", "There is nothing here. Check the address or go back to the cases."),
    405: ("Page not found", "There is nothing here."),
    409: ("This cannot be done now", "The case has changed. Go back, reload and try again."),
    422: ("Some answers need correcting", "Go back and check your answers."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
    500: ("Sorry, there is a problem with the service", "Try again later. It has been logged."),
}


def page(status: int, detail: str | None = None):
    title, body = TITLES.get(status, TITLES[500])
    html = render_template(
        "workbench/error.html",
        title=title,
        body=detail or body,
        status=status,
        signed_in="frontdoor_user" in g,
    )
    return html, status


@bp.route("/<path:anything>", methods=["GET", "POST"])
def not_found(anything: str):
    raise NotFound()


@bp.errorhandler(CSRFError)
def csrf_error(_exc: CSRFError):
    return page(400)


@bp.errorhandler(NotFound)
def unknown(_exc: NotFound):
    return page(404)


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return page(exc.status, str(exc) if exc.status != 403 else None)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return page(exc.code or 500)


def _unavailable(exc: Exception):
    log.warning("database unavailable: %s", exc.__class__.__name__)
    body, status = page(503)
    return body, status, {"Retry-After": "1"}


for _error in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_error, _unavailable)


@bp.errorhandler(Exception)
def unexpected(_exc: Exception):
    log.exception("unhandled error in the workbench")
    return page(500)
