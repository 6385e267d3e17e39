"""The gate check: a badge number, a name and date of birth, or a person ID in, ALLOWED or NOT
ALLOWED out, with why (several people of that name and birthday: a choice of whom to check).

A POST, because every check writes an audit entry (a GET must not change anything, and the
CSRF check makes sure nobody else's page can run checks in an officer's name).
"""

from __future__ import annotations

from flask import request

from access.adapters.metrics import count_gate_answer
from access.console import forms
from access.console.blueprint import actor, bp, clock, platform
from access.console.pages import FormError, establishment_names, render
from access.console.person_fields import date_parts
from access.service_layer import gate, gate_by_name
from shared.errors import Invalid


@bp.route("/gate", methods=["GET", "POST"])
def gate_check():
    who = actor()
    codes = sorted(who.establishments)
    answers = {
        "establishment": request.form.get("establishment") or (codes[0] if codes else ""),
        "badge": "",
        "person_id": "",
        "name": "",
        "date_of_birth": ["", "", ""],
    }
    names = establishment_names(codes)
    if request.method == "GET":
        return render(
            "console/gate.html",
            codes=codes,
            answers=answers,
            gate=forms.gate_form(codes, names, answers),
            result=None,
        )
    try:
        query = forms.gate_query(request.form, who)
    except Invalid as exc:
        answers.update(
            badge=request.form.get("badge", ""),
            person_id=request.form.get("person_id", ""),
            name=request.form.get("name", ""),
            date_of_birth=date_parts(request.form, "date_of_birth"),
        )
        error = FormError.of("gate", exc)
        return render(
            "console/gate.html",
            codes=codes,
            answers=answers,
            gate=forms.gate_form(codes, names, answers, error),
            result=None,
            error=error,
        ), 422
    moment = clock()
    matches: list = []
    with platform().session_factory() as session:
        if query.name and query.date_of_birth:
            result, matches = gate_by_name.check_by_name(
                session, who, query.code, moment, query.name, query.date_of_birth
            )
        else:
            result = gate.gate_check(
                session, who, query.code, moment, person_id=query.person_id, badge=query.badge
            )
        session.commit()  # the check is audited before the answer is shown
    count_gate_answer(result)
    # The form comes back empty, ready for the next person at the gate.
    return render(
        "console/gate.html",
        codes=codes,
        answers=answers,
        gate=forms.gate_form(codes, names, answers),
        result=gate.result_view(result, moment),
        checked=query,
        matches=matches,
    )
