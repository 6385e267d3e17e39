"""The intake check's sharper rules: middle-name placeholders, referees who are family (whatever
the word) or may be (answered by 'not related'), connections at unknown establishments,
documents expiring during vetting, and a future date not hiding a short address history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from applications.domain.readiness import ReadinessPolicy, is_ready
from tests.support.readiness import (
    DAY,
    PROPERTY,
    TODAY,
    WINDOW_START,
    A,
    address,
    broken,
    check,
    codes,
    edit,
    spoken,
)

VETTING = timedelta(weeks=12)

# ---- middle names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "placeholder",
    [
        "none",
        "NONE",
        "None.",
        "n/a",
        "N/A",
        "N.A.",
        "na",
        "-",
        "--",
        ".",
        "nil",
        "NULL",
        "no middle name",
        "No Middle Names",
        "not applicable",
        "Not-Applicable",
        "NMN",
        "x",
        "X",
        " xxx ",
    ],
)
def test_a_placeholder_middle_name_points_to_no_middle_name(placeholder):
    problems = check(broken([edit(f"{A}.middle_names", placeholder)]))
    assert [(p.code, p.field, p.blocking) for p in problems] == [
        ("MIDDLE_NAME_PLACEHOLDER", "applicant.no_middle_name", True)
    ]
    assert "tick 'no middle name'" in problems[0].message


def test_a_placeholder_with_no_middle_name_ticked_is_the_placeholder_not_a_contradiction():
    application = broken([edit(f"{A}.middle_names", "n/a"), edit(f"{A}.no_middle_name", True)])
    assert codes(check(application)) == ["MIDDLE_NAME_PLACEHOLDER"]


@pytest.mark.parametrize("name", ["Xavier", "Nina", "Ann", "J", "Nana", "Noé", "Jean-Paul", "Xi"])
def test_real_middle_names_are_not_placeholders(name):
    assert check(broken([edit(f"{A}.middle_names", name)])) == []


@PROPERTY
@given(
    word=st.sampled_from(["none", "na", "nil", "no middle name", "not applicable", "nmn", "x"]),
    data=st.data(),
)
def test_any_case_spacing_or_punctuation_of_a_placeholder_is_flagged(word, data):
    noise = st.text(alphabet=" .-/_()'", max_size=2)
    typed = data.draw(noise) + "".join(
        (c.upper() if data.draw(st.booleans()) else c) + data.draw(noise) for c in word
    )
    if not typed.strip():
        typed = "-"
    problems = codes(check(broken([edit(f"{A}.middle_names", typed)])))
    assert problems == ["MIDDLE_NAME_PLACEHOLDER"], typed


# ---- referees who are family ----------------------------------------------------------------

FAMILY_WORDS = [
    "partner",
    "my partner",
    "civil partner",
    "spouse",
    "husband",
    "wife",
    "ex-husband",
    "fiancé",
    "fiancée",
    "Fiance",
    "boyfriend",
    "girlfriend",
    "mother",
    "mum",
    "father",
    "dad",
    "parent",
    "son",
    "daughter",
    "brother",
    "sister",
    "half-sister",
    "sibling",
    "twin",
    "cousin",
    "second cousin",
    "aunt",
    "auntie",
    "uncle",
    "niece",
    "nephew",
    "grandmother",
    "grandfather",
    "grandson",
    "granddaughter",
    "great-grandmother",
    "grandad",
    "grandma",
    "granny",
    "nan",
    "stepmother",
    "step-father",
    "stepson",
    "stepdaughter",
    "step-brother",
    "mother-in-law",
    "Son in law",
    "my in-laws",
    "family",
    "family member",
    "a relative",
    "children's father",
]


@pytest.mark.parametrize("relationship", FAMILY_WORDS)
def test_a_referee_in_the_family_is_flagged_whatever_the_word(relationship):
    problems = check(broken([edit(f"{A}.referees.1.relationship", relationship)]))
    assert [(p.code, p.field, p.blocking) for p in problems] == [
        ("REFEREE_IS_RELATIVE", "applicant.referees[1].relationship", True)
    ]


@pytest.mark.parametrize(
    "relationship",
    [
        "family friend",
        "friend of the family",
        "business partner",
        "godmother",
        "person from church",
        "mum's friend",
        "nanny's employer",
        "public relations colleague",
        "grant officer",
        "parenting class tutor",
    ],
)
def test_relationships_outside_the_family_are_not_flagged(relationship):
    assert check(broken([edit(f"{A}.referees.1.relationship", relationship)])) == []


def test_not_related_does_not_excuse_a_family_word():
    application = broken(
        [edit(f"{A}.referees.1.relationship", "sister"), edit(f"{A}.referees.1.not_related", True)]
    )
    assert codes(check(application)) == ["REFEREE_IS_RELATIVE"]


# ---- same surname and postcode: a question, answered by 'not related' -----------------------

SAME_HOME = [edit(f"{A}.referees.1.surname", "Taylor"), edit(f"{A}.referees.1.postcode", "LS1 1AA")]


def test_same_surname_and_postcode_is_a_question_not_a_block():
    problems = check(broken(SAME_HOME))
    assert [(p.code, p.field) for p in problems] == [
        ("REFEREE_MAY_BE_RELATIVE", "applicant.referees[1]")
    ]
    assert is_ready(problems)
    assert "'not related'" in problems[0].message


def test_not_related_answers_the_question():
    assert check(broken([*SAME_HOME, edit(f"{A}.referees.1.not_related", True)])) == []
    unanswered = broken([*SAME_HOME, edit(f"{A}.referees.1.not_related", False)])
    assert codes(check(unanswered)) == ["REFEREE_MAY_BE_RELATIVE"]


@pytest.mark.parametrize(
    ("applicant_surname", "referee_surname"),
    [("Zoë", "ZOE"), ("Taylor", "Táylor"), ("O'Brien", "o'brien"), ("Straße", "STRASSE")],
)
def test_name_comparisons_ignore_accents_and_case(applicant_surname, referee_surname):
    application = broken(
        [
            edit(f"{A}.surname", applicant_surname),
            edit(f"{A}.referees.0.surname", "Lee"),  # only the second referee shares it
            edit(f"{A}.referees.1.surname", referee_surname),
        ]
    )
    assert codes(check(application)) == ["REFEREE_MAY_BE_RELATIVE"]


# ---- connections ----------------------------------------------------------------------------


def test_a_connection_at_an_unknown_establishment_is_a_problem():
    application = broken(
        [
            edit(f"{A}.connections.0.establishment", "QQQ"),
            edit(
                f"{A}.connections",
                [
                    {"name": "Sam Jones", "relationship": "friend", "establishment": "QQQ"},
                    {"name": "Jo Bloggs", "relationship": "cousin", "establishment": "LEI"},
                ],
            ),
        ]
    )
    problems = check(application)
    assert [(p.code, p.field, p.blocking) for p in problems] == [
        ("UNKNOWN_CONNECTION_ESTABLISHMENT", "applicant.connections[0].establishment", True),
        (
            "CONNECTION_AT_REQUESTED_ESTABLISHMENT",
            "applicant.connections[1].establishment",
            False,
        ),
    ]
    assert "'QQQ'" in problems[0].message


def test_a_connection_at_a_requested_but_unknown_code_is_the_connection_flag():
    application = broken(
        [edit("establishments", ["WWI", "XYZ"]), edit(f"{A}.connections.0.establishment", "XYZ")]
    )
    assert [(p.code, p.field) for p in check(application)] == [
        ("UNKNOWN_ESTABLISHMENT", "establishments[1]"),
        ("CONNECTION_AT_REQUESTED_ESTABLISHMENT", "applicant.connections[0].establishment"),
    ]


# ---- identity documents expiring during vetting ---------------------------------------------


def test_a_document_expiring_during_vetting_is_a_warning_naming_the_date():
    expiry = TODAY + 30 * DAY
    problems = check(broken([edit(f"{A}.identity_documents.0.expiry", expiry)]))
    assert [(p.code, p.blocking) for p in problems] == [
        ("IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING", False)
    ]
    assert f"The passport ending 1234 expires on {spoken(expiry)}" in problems[0].message
    assert is_ready(problems)


@PROPERTY
@given(offset=st.integers(-400, 400))
@example(offset=0)
@example(offset=83)
@example(offset=84)
@example(offset=-1)
def test_expiry_against_the_expected_time_vetting_takes(offset):
    problems = codes(
        check(broken([edit(f"{A}.identity_documents.0.expiry", TODAY + offset * DAY)]))
    )
    assert ("IDENTITY_DOCUMENT_EXPIRED" in problems) is (offset < 0)
    assert ("IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING" in problems) is (0 <= offset < 84)
    assert len(problems) <= 1


@PROPERTY
@given(weeks=st.integers(0, 60), offset=st.integers(0, 500))
def test_the_policy_sets_how_long_vetting_takes(weeks, offset):
    application = broken([edit(f"{A}.identity_documents.0.expiry", TODAY + offset * DAY)])
    policy = ReadinessPolicy(expected_vetting_weeks=weeks)
    warned = "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING" in codes(check(application, policy=policy))
    assert warned is (offset < weeks * 7)


# ---- every problem at once ------------------------------------------------------------------


def test_a_future_moving_in_date_does_not_hide_a_short_history():
    application = broken(
        [
            edit(f"{A}.addresses", [address(1, TODAY + 10 * DAY, None)]),
            edit(f"{A}.address_gap_explanations", []),
        ]
    )
    problems = check(application, today=TODAY)
    assert [(p.code, p.field) for p in problems] == [
        ("ADDRESS_HISTORY_TOO_SHORT", "applicant.addresses[0].from_date"),
        ("DATE_IN_FUTURE", "applicant.addresses[0].from_date"),
    ]
    assert f"to {spoken(WINDOW_START)}, but it starts on {spoken(TODAY + 10 * DAY)}" in (
        problems[0].message
    )


def test_a_future_date_beside_a_long_enough_history_is_only_the_future_date():
    application = broken([edit(f"{A}.addresses.0.from_date", date(2026, 12, 1))])
    assert codes(check(application)) == ["ADDRESS_GAP", "DATE_IN_FUTURE"]
