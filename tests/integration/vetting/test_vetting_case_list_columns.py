"""The officers' queue reads only what its summary shows: the encrypted applicant document,
refusal and reconsideration are not selected (each was decrypted per row, most of a page's
CPU: bench/scale.py), and the page is unchanged."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.support.events import deliver
from tests.support.platforms import platform_for, submitted_envelope
from vetting.service_layer import queries

NOT_LISTED = re.compile(r"vetting_cases\.(applicant|refusal|reconsideration)\b(?!_)")


def test_the_case_list_selects_no_encrypted_document_it_does_not_show(embedded):
    vetting = platform_for("vetting", embedded["vetting"])
    envelope = submitted_envelope()
    deliver(vetting, "vetting", envelope)
    statements: list[str] = []
    event.listen(
        vetting.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: statements.append(statement),
    )
    with vetting.session_factory() as session:
        page = queries.list_cases(session, vetting.clock.now())
    listing = [s for s in statements if "FROM vetting_cases" in s]
    assert listing and not any(NOT_LISTED.search(s) for s in listing), listing
    (item,) = page["items"]
    assert item["application_id"] == envelope.subject
    assert item["applicant_name"] == {"forenames": "Zoë", "surname": "D'Arcy"}
    assert "recommendation" in item  # the risk summary is still read (it is shown)
