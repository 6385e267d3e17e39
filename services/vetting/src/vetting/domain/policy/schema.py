"""The marshmallow schema of the policy file: types and ranges per field, then the rules that
tie fields together (levels only use defined checks, every access/frequency pair maps to a
defined level, ...). Errors come back as `path: message` lines naming the field."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from vetting.domain.policy.model import (
    ACCESS_TYPES,
    CHANGE_KINDS,
    CHECKS,
    DBS_LEVELS,
    ESTABLISHMENT_FLAGS,
    FREQUENCIES,
    MAX_VALIDITY_MONTHS,
    SUSPEND_WHEN,
    dbs_rank,
)

NAME = validate.Regexp(r"^[A-Z][A-Z0-9_]*$", error="Use UPPER_SNAKE_CASE, e.g. ENHANCED_CTC.")
CHECK_NAME = validate.OneOf(CHECKS, error="Unknown check {input!r}; known checks: {choices}.")
DBS_LEVEL = validate.OneOf(DBS_LEVELS, error="Unknown DBS level {input!r}; one of: {choices}.")


def _int(minimum: int, maximum: int | None = None, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)


def _regex(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"Not a valid regular expression: {exc}.") from exc


class CheckSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1))


class LevelSchema(Schema):
    rank = _int(1, required=True)
    light_path = fields.Boolean(load_default=False)
    description = fields.String(required=True, validate=validate.Length(min=1))
    checks = fields.List(
        fields.String(validate=CHECK_NAME), required=True, validate=validate.Length(min=1)
    )
    dbs_level = fields.String(required=True, allow_none=True, validate=DBS_LEVEL)
    validity_months = _int(1, MAX_VALIDITY_MONTHS, required=True)


class FrequencyMapSchema(Schema):
    ONE_OFF = fields.String(required=True)
    OCCASIONAL = fields.String(required=True)
    REGULAR = fields.String(required=True)


class AccessMapSchema(Schema):
    ESCORTED = fields.Nested(FrequencyMapSchema, required=True)
    UNESCORTED = fields.Nested(FrequencyMapSchema, required=True)
    KEY_HOLDING = fields.Nested(FrequencyMapSchema, required=True)


class EstablishmentRuleSchema(Schema):
    minimum_level = fields.String(load_default=None, allow_none=True)
    minimum_dbs_level = fields.String(load_default=None, allow_none=True, validate=DBS_LEVEL)

    @validates_schema
    def _says_something(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("minimum_level") is None and data.get("minimum_dbs_level") is None:
            raise ValidationError("Set minimum_level, minimum_dbs_level or both.")


class EstablishmentRulesSchema(Schema):
    high_security = fields.Nested(EstablishmentRuleSchema, load_default=None, allow_none=True)
    womens_estate = fields.Nested(EstablishmentRuleSchema, load_default=None, allow_none=True)
    children_held = fields.Nested(EstablishmentRuleSchema, load_default=None, allow_none=True)


class ThresholdsSchema(Schema):
    refer_within_years = _int(0, required=True)
    escorted_only_within_years = _int(0, required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["refer_within_years"] > data["escorted_only_within_years"]:
            raise ValidationError(
                "Must not exceed escorted_only_within_years (REFER is the more recent band).",
                "refer_within_years",
            )


class OffenceCategorySchema(Schema):
    name = fields.String(required=True, validate=NAME)
    unmanageable = fields.Boolean(required=True)
    patterns = fields.List(
        fields.String(validate=[validate.Length(min=1), _regex]),
        required=True,
        validate=validate.Length(min=1),
    )
    refer_within_years = _int(0, load_default=None, allow_none=True)
    escorted_only_within_years = _int(0, load_default=None, allow_none=True)

    @validates_schema
    def _thresholds(self, data: dict[str, Any], **_: Any) -> None:
        refer, escorted = data.get("refer_within_years"), data.get("escorted_only_within_years")
        if (refer is None) != (escorted is None):
            raise ValidationError(
                "Set both refer_within_years and escorted_only_within_years, or neither.",
                "refer_within_years",
            )
        if refer is not None and refer > escorted:
            raise ValidationError(
                "Must not exceed escorted_only_within_years.", "refer_within_years"
            )


class RiskSchema(Schema):
    undeclared_match_window_days = _int(0, 366, required=True)
    release = fields.Nested(ThresholdsSchema, required=True)
    offence = fields.Nested(ThresholdsSchema, required=True)
    offence_categories = fields.List(fields.Nested(OffenceCategorySchema), required=True)

    @validates_schema
    def _unique_names(self, data: dict[str, Any], **_: Any) -> None:
        names = [c["name"] for c in data["offence_categories"]]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValidationError(
                f"Duplicate category names: {', '.join(duplicates)}.", "offence_categories"
            )


class CtcSchema(Schema):
    minimum_uk_residence_years = _int(0, required=True)


class DbsSchema(Schema):
    update_service_accepted = fields.Boolean(required=True)
    certificate_retention_months = _int(1, required=True)


class RemindersSchema(Schema):
    days_before_expiry = fields.List(_int(1), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _unique(self, data: dict[str, Any], **_: Any) -> None:
        days = data["days_before_expiry"]
        if len(set(days)) != len(days):
            raise ValidationError("Days must be distinct.", "days_before_expiry")


class CircumstancesSchema(Schema):
    suspend_at_once = fields.Dict(
        keys=fields.String(
            validate=validate.OneOf(
                CHANGE_KINDS, error="Unknown change {input!r}; one of: {choices}."
            )
        ),
        values=fields.String(
            validate=validate.OneOf(
                SUSPEND_WHEN, error="Unknown rule {input!r}; one of: {choices}."
            )
        ),
        load_default=dict,
    )


class ConditionsSchema(Schema):
    # Code -> the words the prisons are shown; officers pick from these, or write "other".
    managed = fields.Dict(
        keys=fields.String(validate=NAME),
        values=fields.String(validate=validate.Length(min=3, max=200)),
        load_default=dict,
    )
    other_max_length = _int(10, 500, load_default=200)


class InformationRequestsSchema(Schema):
    chase_grace_days = _int(1, 90, load_default=10)


class PolicySchema(Schema):
    version = fields.String(
        required=True,
        validate=validate.Length(min=1),
        error_messages={"invalid": 'Not a valid string; quote it, e.g. version: "2026-11-1".'},
    )
    checks = fields.Dict(
        keys=fields.String(validate=CHECK_NAME), values=fields.Nested(CheckSchema), required=True
    )
    levels = fields.Dict(
        keys=fields.String(validate=NAME),
        values=fields.Nested(LevelSchema),
        required=True,
        validate=validate.Length(min=1),
    )
    level_by_access = fields.Nested(AccessMapSchema, required=True)
    establishment_rules = fields.Nested(EstablishmentRulesSchema, required=True)
    address_history_years = _int(1, 20, required=True)
    ctc = fields.Nested(CtcSchema, required=True)
    dbs = fields.Nested(DbsSchema, required=True)
    reminders = fields.Nested(RemindersSchema, required=True)
    risk = fields.Nested(RiskSchema, required=True)
    circumstances = fields.Nested(CircumstancesSchema, load_default=lambda: {"suspend_at_once": {}})
    conditions = fields.Nested(
        ConditionsSchema, load_default=lambda: {"managed": {}, "other_max_length": 200}
    )
    information_requests = fields.Nested(
        InformationRequestsSchema, load_default=lambda: {"chase_grace_days": 10}
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        levels: dict[str, dict[str, Any]] = data["levels"]
        for name, level in levels.items():
            for check in level["checks"]:
                if check not in data["checks"]:
                    errors[f"levels.{name}.checks"].append(
                        f"Check {check} is not defined under `checks`."
                    )
            if ("DBS" in level["checks"]) != (level["dbs_level"] is not None):
                errors[f"levels.{name}.dbs_level"].append(
                    "Set a DBS level exactly when the level runs the DBS check."
                )
        ranks = [level["rank"] for level in levels.values()]
        ordered = sorted(levels.items(), key=lambda item: item[1]["rank"])
        for (low_name, low), (name, high) in pairwise(ordered):
            if ranks.count(high["rank"]) > 1:
                errors[f"levels.{name}.rank"].append(f"Rank {high['rank']} is used twice.")
            missing = sorted(set(low["checks"]) - set(high["checks"]))
            if missing:
                errors[f"levels.{name}.checks"].append(
                    f"A higher level runs every check of {low_name}; missing {', '.join(missing)}."
                )
            if dbs_rank(high["dbs_level"]) < dbs_rank(low["dbs_level"]):
                errors[f"levels.{name}.dbs_level"].append(
                    f"Lower than {low_name}'s DBS level {low['dbs_level']}."
                )
        for access in ACCESS_TYPES:
            for frequency in FREQUENCIES:
                target = data["level_by_access"][access][frequency]
                if target not in levels:
                    errors[f"level_by_access.{access}.{frequency}"].append(
                        f"Level {target!r} is not defined under `levels`."
                    )
        for flag in ESTABLISHMENT_FLAGS:
            rule = data["establishment_rules"].get(flag)
            if rule and rule["minimum_level"] is not None and rule["minimum_level"] not in levels:
                errors[f"establishment_rules.{flag}.minimum_level"].append(
                    f"Level {rule['minimum_level']!r} is not defined under `levels`."
                )
        if errors:
            raise ValidationError(dict(errors))


def flatten(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dict as {"levels.ENHANCED.checks[1]": [messages]}."""
    if isinstance(messages, list):
        return {path or "(policy)": [str(m) for m in messages]}
    if isinstance(messages, str):
        return {path or "(policy)": [messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if key in ("value", "_schema") and path:
            sub = path  # a Dict's value, or a schema-level error: the path already names it
        elif key == "key" and path:
            sub = f"{path} (name)"
        elif isinstance(key, int):
            sub = f"{path}[{key}]"
        elif key == "_schema":
            sub = ""
        else:
            sub = f"{path}.{key}" if path else str(key)
        for field, found in flatten(value, sub).items():
            flat.setdefault(field, []).extend(found)
    return flat
