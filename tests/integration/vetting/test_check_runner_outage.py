"""The check runner losing the database mid-batch (bench/chaos.py found it: cases stuck OPEN
until the 2-minute lease ran out): what the provider said is applied once the database is
back, the rest of the batch is still worked, and the provider is asked once per check."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc


def test_a_lost_database_connection_while_applying_a_result_loses_no_check(vetting, monkeypatch):
    app_id = vetting.submit()
    runner = vetting.runner
    submitted: list[Any] = []
    for provider in {id(p): p for p in runner.providers.values()}.values():

        def counting_submit(request: Any, moment: Any, _real=provider.submit) -> Any:
            submitted.append(request)
            return _real(request, moment)

        monkeypatch.setattr(provider, "submit", counting_submit)
    real_apply = runner._apply
    failures = iter([True, False, True])  # the first and third results meet a dead connection

    def flaky_apply(*args: Any) -> None:
        if next(failures, False):
            raise sa_exc.OperationalError(
                "UPDATE checks", {}, Exception("server closed the connection")
            )
        real_apply(*args)

    monkeypatch.setattr(runner, "_apply", flaky_apply)
    monkeypatch.setattr(runner._stop, "wait", lambda _s=None: False)  # no real pauses
    vetting.work()  # one runner, no lease expiry: everything must be done by now
    case = vetting.case(app_id)
    assert {c["status"] for c in case["checks_detail"]} <= {"PASSED", "ADVERSE"}, case[
        "checks_detail"
    ]
    assert case["status"] == "AWAITING_DECISION"
    assert len(submitted) == len(case["checks"])  # each provider asked once per check
