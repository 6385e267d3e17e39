"""Postcodes are tidied (case, spaces) rather than refused; a wrong format still is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from applications.schemas.applicant import AddressSchema, RefereeSchema
from applications.schemas.postcode import UK_POSTCODE, normalise_postcode
from tests.support.properties import property_settings

PROPERTY = property_settings(300)
REFEREE = {"forenames": "Pat", "surname": "Lee", "email": "pat@example.org", "relationship": "boss"}
ADDRESS = {"line1": "1 High Street", "town": "Leeds", "from_date": "2020-01-01"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  sw1a   1aa  ", "SW1A 1AA"),
        ("Ls1 1aa", "LS1 1AA"),
        ("m11ae", "M1 1AE"),
        ("b 3 3 h j", "B3 3HJ"),
        ("cr2\t6xh", "CR2 6XH"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_case_and_spaces_are_tidied_wherever_a_postcode_is_taken(typed, stored):
    assert AddressSchema().load({**ADDRESS, "postcode": typed})["postcode"] == stored
    assert RefereeSchema().load({**REFEREE, "postcode": typed})["postcode"] == stored


@pytest.mark.parametrize("typed", ["", "   ", "SW1A", "12345", "SW1A 1AAA", "Q1 1AA", "LS1-1AA"])
def test_a_wrong_format_is_still_refused_with_a_field_message(typed):
    with pytest.raises(ValidationError) as refused:
        AddressSchema().load({**ADDRESS, "postcode": typed})
    assert refused.value.messages == {"postcode": ["Enter a UK postcode, like SW1A 1AA."]}


def test_not_related_is_an_optional_yes_or_no():
    assert "not_related" not in RefereeSchema().load({**REFEREE, "postcode": "LS1 1AA"})
    loaded = RefereeSchema().load({**REFEREE, "postcode": "LS1 1AA", "not_related": True})
    assert loaded["not_related"] is True
    with pytest.raises(ValidationError) as refused:
        RefereeSchema().load({**REFEREE, "postcode": "LS1 1AA", "not_related": "perhaps"})
    assert set(refused.value.messages) == {"not_related"}


postcodeish = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t")


@PROPERTY
@given(typed=postcodeish)
def test_normalising_is_idempotent_and_keeps_the_letters_and_digits(typed):
    once = normalise_postcode(typed)
    assert normalise_postcode(once) == once
    assert once.replace(" ", "") == "".join(typed.split()).upper()
    assert once == once.strip() and "  " not in once


outward = st.from_regex(r"[A-PR-UWYZ][0-9]{1,2}", fullmatch=True)
inward = st.from_regex(r"[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True)


@PROPERTY
@given(out=outward, into=inward, data=st.data())
def test_any_spacing_and_case_of_a_valid_postcode_is_accepted(out, into, data):
    canonical = f"{out} {into}"
    assert UK_POSTCODE(canonical) == canonical
    squashed = canonical.replace(" ", "")
    cuts = sorted(data.draw(st.sets(st.integers(0, len(squashed)), max_size=3)))
    spaced, last = "", 0
    for cut in cuts:
        spaced += squashed[last:cut] + " "
        last = cut
    spaced += squashed[last:]
    typed = "".join(c.lower() if data.draw(st.booleans()) else c for c in f"  {spaced} ")
    assert AddressSchema().load({**ADDRESS, "postcode": typed})["postcode"] == canonical
