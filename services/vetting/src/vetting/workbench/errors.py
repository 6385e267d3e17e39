"""The workbench's error pages, and its 404 page for any other address under /workbench (after
sign-in, so it tells a stranger nothing)."""

from __future__ import annotations

from shared.errors import NotFound
from shared.frontdoor.error_pages import ErrorPages
from vetting.workbench.blueprint import bp

PAGES = ErrorPages(
    bp,
    {
        403: (
            "You do not have permission to do this",
            "Ask your vetting manager if you think you should.",
        ),
        404: (
            "Page not found",
            "There is nothing here. Check the address or go back to the cases.",
        ),
        409: ("This cannot be done now", "The case has changed. Go back, reload and try again."),
    },
    home_text="Go to the cases",
)
page = PAGES.page


@bp.route("/<path:anything>", methods=["GET", "POST"])
def not_found(anything: str):
    raise NotFound()
