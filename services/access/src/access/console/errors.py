"""The console's error pages."""

from __future__ import annotations

from access.console.blueprint import bp
from shared.frontdoor.error_pages import ErrorPages

PAGES = ErrorPages(
    bp,
    {
        403: (
            "You do not have permission to do this",
            "Ask your head of security if you think you should.",
        ),
        404: (
            "Page not found",
            "There is nothing here, or it is not at one of your "
            "establishments. Check the address or go back to the queue.",
        ),
    },
    home_text="Go to the review queue",
    layout="console/base.html",
)
page = PAGES.page
