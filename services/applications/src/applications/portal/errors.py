"""The portal's error pages, and its 404 for any other address under /portal (after sign-in,
so it tells a stranger nothing)."""

from __future__ import annotations

from applications.portal.blueprint import bp
from shared.errors import NotFound
from shared.frontdoor.error_pages import ErrorPages

PAGES = ErrorPages(
    bp,
    {
        403: (
            "You do not have permission to do this",
            "Ask your organisation's admin if you think you should.",
        ),
        404: (
            "Page not found",
            "There is nothing here. Check the address or go back to your applications.",
        ),
        409: (
            "This cannot be done now",
            "The application has changed. Go back, reload the page and try again.",
        ),
        413: (
            "The file or form is too large",
            "Go back and send something smaller.",
        ),
    },
    home_text="Go to your applications",
)
page = PAGES.page


@bp.route("/<path:anything>", methods=["GET", "POST"])
def not_found(anything: str):
    raise NotFound()
