"""How the bulk upload's report shows a row: the volunteer's name, their prisons by name, and
codes such as GROUP_FACILITATOR as words."""

from __future__ import annotations

from applications.portal.blueprint import bp
from applications.service_layer.bulk import Row


@bp.app_template_filter("bulk_name")
def bulk_name(row: Row) -> str:
    parts = (row.cells.get(column) for column in ("forenames", "middle_names", "surname"))
    return " ".join(part for part in parts if part) or "(no name given)"


@bp.app_template_filter("bulk_prisons")
def bulk_prisons(row: Row, names: dict[str, str]) -> str:
    codes = (row.cells.get("establishments") or "").replace(";", " ").split()
    return ", ".join(names.get(code.upper(), code) for code in codes) or "(none given)"


@bp.app_template_filter("bulk_words")
def bulk_words(code: str | None) -> str:
    """GROUP_FACILITATOR -> "Group facilitator"; nothing given -> "(none given)"."""
    return code.replace("_", " ").capitalize() if code else "(none given)"
