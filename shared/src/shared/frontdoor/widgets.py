"""govuk_frontend_wtf's radios and checkboxes without the empty hint box it gives a field that
has no description (a box a screen reader is pointed at for nothing)."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
)


class _HintOnlyIfAny:
    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        hint = params.get("hint") or {}
        if not (hint.get("text") or hint.get("html")):
            params.pop("hint", None)
        return params


class Radios(_HintOnlyIfAny, GovRadioInput):
    pass


class Checkboxes(_HintOnlyIfAny, GovCheckboxesInput):
    pass


class Checkbox(_HintOnlyIfAny, GovCheckboxInput):
    pass
