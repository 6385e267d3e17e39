"""GET /establishments: the prisons an application may name, with what kind each is."""

from __future__ import annotations

from marshmallow import Schema, fields

ESTABLISHMENT_TYPES = ("high security", "women's", "men's")


class EstablishmentSchema(Schema):
    code = fields.String(
        metadata={"description": "The HMPPS agency id: what applications name.", "example": "WWI"}
    )
    name = fields.String(metadata={"example": "Wandsworth (HMP & YOI)"})
    type = fields.String(
        metadata={"enum": list(ESTABLISHMENT_TYPES), "description": "What kind of prison it is."}
    )
    nation = fields.String(metadata={"example": "England"})


class EstablishmentListSchema(Schema):
    items = fields.List(fields.Nested(EstablishmentSchema))
