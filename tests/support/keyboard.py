"""A page driven the way someone without a mouse drives it: Tab to a control, type into it,
Space or the arrow keys for radios and checkboxes, Enter for links and buttons. Reaching a
control by Tab is itself the check: a control the keyboard cannot reach fails the test."""

from __future__ import annotations

from typing import Any

TAB_LIMIT = 120


def tab_to(page: Any, target: Any, *, into: bool = False) -> None:
    """Tab (forwards from wherever the focus is) until `target` has the focus (`into`: until
    the focus is anywhere inside it)."""
    test = (
        "e => e.contains(document.activeElement)" if into else "e => e === document.activeElement"
    )
    for _ in range(TAB_LIMIT):
        if target.evaluate(test):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target} on {page.url}")


def type_into(page: Any, target: Any, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def follow(page: Any, target: Any) -> None:
    """Enter on a link or a button that goes to another page."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page: Any, group: Any, wanted: Any) -> None:
    """In a group of radios: Tab into it (its first radio, or the one chosen), then the arrow
    keys until the `wanted` radio is chosen."""
    tab_to(page, group, into=True)
    page.keyboard.press("Space")
    for _ in range(group.get_by_role("radio").count()):
        if wanted.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {wanted} on {page.url}")


def tick(page: Any, target: Any) -> None:
    """A checkbox, ticked with Space."""
    tab_to(page, target)
    if not target.is_checked():
        page.keyboard.press("Space")


def date(page: Any, group: Any, day: Any) -> None:
    """A GOV.UK date input: its day, month and year, each typed."""
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        type_into(page, group.get_by_label(part), str(value))
