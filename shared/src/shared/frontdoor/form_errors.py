"""The GOV.UK error summary's list for a WTForms form.

govuk-frontend-wtf's own `wtforms_errors` links every message to a field id, so a message that
belongs to no field (a use case's conflict, kept in `form.form_errors`) would link to "#".
Here such messages come first and link nowhere; field messages link to their field.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.main import flatten_errors


def error_summary_params(form: Any) -> dict[str, Any]:
    """`govukErrorSummary` parameters for `form`: the title and one item per message."""
    items: list[dict[str, str]] = [{"text": str(message)} for message in form.form_errors]
    ids = {name: field.id for name, field in form._fields.items() if hasattr(field, "id")}
    # WTForms keeps form_errors in `errors` too, under "" (or None in older releases).
    field_errors = {name: errors for name, errors in form.errors.items() if name}
    items.extend(flatten_errors(field_errors, id_map=ids) if field_errors else [])
    return {"titleText": "There is a problem", "errorList": items}
