"""The vetting officer's terms reach the prisons: the conditions and review date that
vetting.clearance_granted carries are kept on the grant (the conditions encrypted at rest), shown
by the API and on the console's grant page beside the approval form, and follow a renewal.
Each test runs on embedded SQLite and on real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.support.clock import today
from tests.support.console_harness import Console

TERMS = [
    {"code": "CHAPLAINCY_PRESENT", "text": "Only with a member of the chaplaincy present"},
    {"code": "OTHER", "text": "No visits to the healthcare wing."},
]


def test_the_officers_terms_are_kept_on_the_grant_and_shown_to_the_establishment(console: Console):
    access = console.access
    review_on = today() + timedelta(days=40)
    data = access.grant_clearance(custom_conditions=TERMS, review_on=review_on.isoformat())
    grant_id = access.grant_id(data["person_id"])
    grant = access.call("GET", f"/grants/{grant_id}").json
    assert grant["clearance"]["custom_conditions"] == TERMS
    assert grant["clearance"]["review_on"] == review_on.isoformat()
    # Encrypted at rest: the officer's words are not in the row.
    with access.platform.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT clearance_custom_conditions FROM grants WHERE id = :id"), {"id": grant_id}
        ).scalar_one()
    assert "healthcare" not in stored
    page = console.signed_in("officer").get(f"/console/grants/{grant_id}").text
    assert "Vetting officer&#39;s conditions" in page or "Vetting officer's conditions" in page
    assert "Only with a member of the chaplaincy present" in page
    assert "No visits to the healthcare wing." in page
    assert 'id="approve-vetting-terms"' in page  # beside the approval form too
    assert review_on.strftime("%-d %B %Y") in page


def test_a_grant_without_terms_says_so_and_a_renewal_replaces_them(console: Console):
    access = console.access
    data = access.grant_clearance(custom_conditions=TERMS)
    grant_id = access.grant_id(data["person_id"])
    page = console.signed_in("officer").get(f"/console/grants/{console.grant_id}").text
    assert "No earlier review set" in page and 'id="approve-vetting-terms"' not in page
    # A renewal without terms: the copy follows the clearance it now rests on.
    access.grant_clearance(
        person_id=data["person_id"], replaces_clearance_id=data["clearance_id"], expires_in_days=700
    )
    grant = access.call("GET", f"/grants/{access.grant_id(data['person_id'])}").json
    assert grant["clearance"]["custom_conditions"] == []
    assert grant["clearance"]["review_on"] is None
    assert grant_id  # the first grant existed with terms
