"""A UK postcode as people type it, stored one way: "  sw1a1aa " is "SW1A 1AA".

Case and spacing are not mistakes worth refusing (the coordinator copied it from a letter);
only a postcode whose format is wrong once tidied is.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

# The UK postcode format (not a check that the postcode exists), once normalised.
UK_POSTCODE = validate.Regexp(
    r"^(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]) [0-9][ABD-HJLNP-UW-Z]{2})$",
    error="Enter a UK postcode, like SW1A 1AA.",
)
INWARD = 3  # the inward code ("1AA") is always a digit and two letters


def normalise_postcode(value: str) -> str:
    """Upper case, spaces removed, then one space before the inward code."""
    squashed = "".join(value.split()).upper()
    if len(squashed) <= INWARD:
        return squashed
    return f"{squashed[:-INWARD]} {squashed[-INWARD:]}"


class Postcode(fields.String):
    """A UK postcode, normalised before its format is checked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", UK_POSTCODE)
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault(
            "description",
            "A UK postcode; case and spaces do not matter (it is stored as 'SW1A 1AA').",
        )
        metadata.setdefault("example", "SW1A 1AA")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalise_postcode(super()._deserialize(value, attr, data, **kwargs))
