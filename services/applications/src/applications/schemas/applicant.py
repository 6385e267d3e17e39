"""The applicant's data, as an MA organisation sends it (drafts may leave parts out).

Field names here are the API's and the stored document's: the readiness rules read the same
shape (`applications.domain.readiness`).
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from applications.domain.readiness.addresses import is_abroad
from applications.schemas.postcode import Postcode
from shared.events.catalogue import CHANNELS, ESTABLISHMENT_CODE

UK_MOBILE = validate.Regexp(
    r"^(\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}$",
    error="Enter a UK mobile number, like 07700 900123.",
)
NAME = validate.Length(min=1, max=100)
DOCUMENT_TYPES = (
    "PASSPORT",
    "DRIVING_LICENCE",
    "BIOMETRIC_RESIDENCE_PERMIT",
    "NATIONAL_IDENTITY_CARD",
    "BIRTH_CERTIFICATE",
    "OTHER",
)
DISPOSALS = (
    "CUSTODY",
    "SUSPENDED_SENTENCE",
    "COMMUNITY_ORDER",
    "FINE",
    "DISCHARGE",
    "CAUTION",
    "CONDITIONAL_CAUTION",
    "OTHER",
)
DBS_LEVELS = ("BASIC", "STANDARD", "ENHANCED", "ENHANCED_WITH_BARRED_LISTS")


class Strict(Schema):
    """Unknown fields are refused (marshmallow's default, said out loud)."""

    class Meta:
        unknown = "raise"


class DateRangeMixin:
    @validates_schema
    def from_before_to(self, data: dict, **_kwargs: object) -> None:
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            raise ValidationError("Must be on or after the start date.", "to_date")


class PreviousNameSchema(DateRangeMixin, Strict):
    forenames = fields.String(required=True, validate=NAME)
    surname = fields.String(required=True, validate=NAME)
    from_date = fields.Date(required=True)
    to_date = fields.Date(required=True)


class ContactSchema(Strict):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    mobile = fields.String(load_default=None, allow_none=True, validate=UK_MOBILE)
    preferred_channel = fields.String(load_default="EMAIL", validate=validate.OneOf(CHANNELS))


class AddressSchema(DateRangeMixin, Strict):
    """A UK address (line 1, town, postcode), or one abroad (country and town; no postcode:
    time abroad is part of the history, not a gap)."""

    line1 = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Required for a UK address; optional abroad."},
    )
    line2 = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    town = fields.String(required=True, validate=validate.Length(min=1, max=100))
    postcode = Postcode(
        allow_none=True,
        metadata={
            "description": (
                "Required for a UK address (case and spaces do not matter: stored as 'SW1A 1AA'); "
                "leave it out for one abroad."
            )
        },
    )
    country = fields.String(
        allow_none=True,
        validate=validate.Length(min=2, max=100),
        metadata={
            "description": "For an address outside the UK, the country; empty for a UK address."
        },
    )
    from_date = fields.Date(required=True)
    to_date = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Empty for the current address."},
    )

    @validates_schema
    def uk_or_abroad(self, data: dict, **_kwargs: object) -> None:
        if is_abroad(data):
            if data.get("postcode"):
                raise ValidationError(
                    "Leave the postcode out for an address outside the UK.", "postcode"
                )
            return
        missing = {
            name: ["Missing data for required field."]
            for name in ("line1", "postcode")
            if not data.get(name)
        }
        if missing:
            raise ValidationError(missing)


class GapExplanationSchema(DateRangeMixin, Strict):
    from_date = fields.Date(required=True)
    to_date = fields.Date(required=True)
    explanation = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "E.g. travelling, in hospital, in custody."},
    )


class Normalised(fields.String):
    """Letters and digits only, upper case: how a number is written does not change it
    ("ab 12-34 56 c" is AB123456C)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return re.sub(r"[\s\-./]", "", text).upper()


# National Insurance number: two prefix letters (not D, F, I, Q, U or V; the second not O; not
# the administrative prefixes BG, GB, KN, NK, NT, TN, ZZ), six digits, a suffix A to D.
NINO = validate.Regexp(
    r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$",
    error="Enter a National Insurance number in the right format, like AB 12 34 56 C.",
)


class IdentityDocumentSchema(Strict):
    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    number = Normalised(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z0-9]{5,20}$",
            error="Give the document's full number as printed on it (5 to 20 letters or digits).",
        ),
        metadata={"description": "The full number (kept encrypted; vetting matches people by it)."},
    )
    expiry = fields.Date(load_default=None, allow_none=True)


class PlaceOfBirthSchema(Strict):
    town = fields.String(required=True, validate=validate.Length(min=1, max=100))
    country = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ConvictionSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(("CONVICTION", "CAUTION")))
    offence = fields.String(required=True, validate=validate.Length(min=1, max=200))
    date = fields.Date(required=True)
    disposal = fields.String(required=True, validate=validate.OneOf(DISPOSALS))


class DeclarationsSchema(Strict):
    convictions = fields.List(
        fields.Nested(ConvictionSchema), load_default=list, validate=validate.Length(max=50)
    )
    on_licence = fields.Boolean(load_default=False)
    release_date = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Date of last release, if ever in custody."},
    )


class ConnectionSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=100))
    establishment = fields.String(required=True, validate=ESTABLISHMENT_CODE)


class PreviousVolunteeringSchema(DateRangeMixin, Strict):
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    establishment = fields.String(load_default=None, allow_none=True, validate=ESTABLISHMENT_CODE)
    from_date = fields.Date(required=True)
    to_date = fields.Date(load_default=None, allow_none=True)
    clearance_level = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )


class DbsCertificateSchema(Strict):
    number = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{12}$", error="A DBS certificate number has 12 digits."),
    )
    level = fields.String(required=True, validate=validate.OneOf(DBS_LEVELS))
    update_service = fields.Boolean(load_default=True)


class RefereeSchema(Strict):
    forenames = fields.String(required=True, validate=NAME)
    surname = fields.String(required=True, validate=NAME)
    email = fields.Email(required=True)
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=100))
    postcode = Postcode(required=True)
    years_known = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100)
    )
    not_related = fields.Boolean(
        metadata={
            "description": "True confirms the referee is not related to the applicant, answering "
            "the question a shared surname and postcode raises (REFEREE_MAY_BE_RELATIVE)."
        },
    )


class ApplicantSchema(Strict):
    forenames = fields.String(validate=NAME)
    middle_names = fields.String(allow_none=True, validate=validate.Length(max=200))
    no_middle_name = fields.Boolean(
        metadata={"description": "True confirms the applicant has no middle name."}
    )
    surname = fields.String(validate=NAME)
    previous_names = fields.List(
        fields.Nested(PreviousNameSchema), validate=validate.Length(max=20)
    )
    date_of_birth = fields.Date()
    place_of_birth = fields.Nested(PlaceOfBirthSchema)
    national_insurance_number = Normalised(
        allow_none=True,
        validate=NINO,
        metadata={"description": "Where the applicant has one (optional)."},
    )
    contact = fields.Nested(ContactSchema)
    addresses = fields.List(fields.Nested(AddressSchema), validate=validate.Length(max=40))
    address_gap_explanations = fields.List(
        fields.Nested(GapExplanationSchema), validate=validate.Length(max=40)
    )
    identity_documents = fields.List(
        fields.Nested(IdentityDocumentSchema), validate=validate.Length(max=10)
    )
    declarations = fields.Nested(DeclarationsSchema)
    connections = fields.List(fields.Nested(ConnectionSchema), validate=validate.Length(max=20))
    previous_volunteering = fields.List(
        fields.Nested(PreviousVolunteeringSchema), validate=validate.Length(max=20)
    )
    dbs_certificate = fields.Nested(DbsCertificateSchema, allow_none=True)
    referees = fields.List(fields.Nested(RefereeSchema), validate=validate.Length(max=5))
