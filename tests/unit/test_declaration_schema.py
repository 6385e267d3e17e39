"""A declared caution or conviction, field by field: the category from the fixed list, an
outcome that fits the kind, a length only for a sentence that has one; older declarations
(free text only) still load."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from applications.schemas.applicant import ConvictionSchema, DeclarationsSchema

OLD = {"kind": "CONVICTION", "offence": "Theft", "date": "2012-03-01", "disposal": "FINE"}


def errors(**changes: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as raised:
        ConvictionSchema().load(OLD | changes)
    return raised.value.messages  # type: ignore[return-value]


def test_a_free_text_declaration_still_loads() -> None:
    assert ConvictionSchema().load(OLD)["offence"] == "Theft"
    loaded = DeclarationsSchema().load({"convictions": [OLD]})
    assert "category" not in loaded["convictions"][0]


def test_a_structured_declaration_loads() -> None:
    structured = OLD | {
        "category": "THEFT",
        "disposal": "COMMUNITY_ORDER",
        "sentence_length_months": 12,
        "spent": True,
    }
    loaded = ConvictionSchema().load(structured)
    assert (loaded["category"], loaded["sentence_length_months"], loaded["spent"]) == (
        "THEFT",
        12,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "SHOPLIFTING"}, "category"),
        ({"disposal": "CAUTION"}, "disposal"),  # a conviction's outcome is a sentence
        ({"kind": "CAUTION", "disposal": "FINE"}, "disposal"),
        ({"sentence_length_months": 6}, "sentence_length_months"),  # a fine has no length
        ({"disposal": "CUSTODY", "sentence_length_months": 0}, "sentence_length_months"),
        ({"spent": "perhaps"}, "spent"),
    ],
)
def test_each_mistake_is_named_on_its_field(changes: dict[str, Any], field: str) -> None:
    assert list(errors(**changes)) == [field]
