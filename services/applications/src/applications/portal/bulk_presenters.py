"""How the bulk upload's report shows a row: the volunteer's name, and their prisons by name;
a column's name broken to fit a phone."""

from __future__ import annotations

from markupsafe import Markup, escape

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


@bp.app_template_filter("breakable")
def breakable(text: str) -> Markup:
    """A column's name (national_insurance_number) may break after each "_" on a narrow screen."""
    return Markup("_<wbr>").join(escape(text).split("_"))
