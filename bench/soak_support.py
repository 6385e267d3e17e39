"""What bench/soak.py drives the stack with: applications at a steady rate, an officer clearing
every case that waits for a decision, an SMTP sink that counts, and the databases' final
counts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import psycopg
import requests
from aiosmtpd.controller import Controller

from applications.schemas.examples import sample_application
from devstack.stack import Stack

CLEAR_POLL_S = 1.0
TABLES = {
    "applications": "applications",
    "vetting": "vetting_cases",
    "access": "grants",
    "notifications": "notifications",
}


def officer_token() -> str:
    from bench_identity import staff_token

    return staff_token("vetting", "vo-soak", "vetting_officer")


class SmtpCounter:
    """An in-process SMTP server that counts the messages it is handed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.count = 0
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        with self._lock:
            self.count += 1
        return "250 OK"


class Load:
    """Create + submit `rate` applications a second (a pool of client threads, so a slow
    answer does not slow the arrivals), and clear every case awaiting a decision."""

    def __init__(self, stack: Stack, api_key: str, officer: str, rate: float, run: str) -> None:
        self.stack, self.api_key, self.officer = stack, api_key, officer
        self.rate, self.run = rate, run
        self.counts = {"submitted": 0, "submit_errors": 0, "cleared": 0, "clear_errors": 0}
        self.first_errors: list[str] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stop_arrivals = threading.Event()
        self._stop_clearing = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=8)
        self._threads = [
            threading.Thread(target=self._arrivals, daemon=True),
            threading.Thread(target=self._clearing, daemon=True),
        ]

    @staticmethod
    def organisation_key(stack: Stack) -> str:
        import json

        org = json.loads(
            stack.cli(
                "applications",
                "create-organisation",
                "--name",
                "Soak Org",
                "--fellowship",
                "AA",
                "--coordinator-email",
                "coordinator@example.org",
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        return json.loads(
            stack.cli("applications", "create-api-key", org["organisation_id"])
            .stdout.strip()
            .splitlines()[-1]
        )["api_key"]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop the arrivals (those in flight finish); clearing goes on until `drain`."""
        self._stop_arrivals.set()
        self._threads[0].join(timeout=10)
        self._pool.shutdown(wait=True)

    def drain(self, settled: Callable[[], bool], timeout: float) -> bool:
        """Go on clearing until `settled()` (every case closed, every outbox sent), or
        `timeout`; then stop clearing. Whether it settled."""
        deadline = time.monotonic() + timeout
        done = settled()
        while not done and time.monotonic() < deadline:
            time.sleep(1)
            done = settled()
        self._stop_clearing.set()
        self._threads[1].join(timeout=30)
        return done

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def _count(self, key: str, error: str | None = None) -> None:
        with self._lock:
            self.counts[key] += 1
            if error and len(self.first_errors) < 5:
                self.first_errors.append(error[:300])

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _arrivals(self) -> None:
        began, index = time.perf_counter(), 0
        while not self._stop_arrivals.is_set():
            delay = began + index / self.rate - time.perf_counter()
            if delay > 0 and self._stop_arrivals.wait(delay):
                break
            self._pool.submit(self._submit, index)
            index += 1

    def _submit(self, index: int) -> None:
        base = self.stack.url("applications") + "/applications"
        headers = {"Authorization": f"Bearer {self.api_key}"}
        try:
            # A new person each time (a birthday and a passport of their own): the same sample
            # person would be covered by the first clearance, with no checks, no decision and
            # no new access request.
            body = sample_application(
                f"soak-{self.run}-{index}@example.org", passport=f"SK{self.run}{index}"[:20]
            )
            body["applicant"]["date_of_birth"] = (
                date(1950, 1, 1) + timedelta(days=index)
            ).isoformat()
            draft = self._session().post(base, json=body, headers=headers, timeout=30)
            if draft.status_code != 201:
                raise RuntimeError(f"POST /applications {draft.status_code} {draft.text}")
            draft_id = draft.json()["id"]
            done = self._session().post(
                f"{base}/{draft_id}/submit",
                timeout=30,
                json={},
                headers={**headers, "Idempotency-Key": draft_id},
            )
            if done.status_code != 200:
                raise RuntimeError(f"submit {done.status_code} {done.text}")
        except (requests.RequestException, RuntimeError, ValueError) as exc:
            self._count("submit_errors", f"submit: {exc!r}")
            return
        self._count("submitted")

    def _clearing(self) -> None:
        base = self.stack.url("vetting")
        headers = {"Authorization": f"Bearer {self.officer}"}
        session = requests.Session()
        while not self._stop_clearing.wait(CLEAR_POLL_S):
            try:
                page = session.get(
                    f"{base}/cases?status=AWAITING_DECISION&limit=200", headers=headers, timeout=30
                )
                if page.status_code != 200:
                    raise RuntimeError(f"GET /cases {page.status_code} {page.text}")
                for case in page.json()["items"]:
                    answer = session.post(
                        f"{base}/cases/{case['id']}/clearance",
                        timeout=30,
                        json={"reason": "All checks passed."},
                        headers=headers,
                    )
                    if answer.status_code in (200, 201):
                        self._count("cleared")
                    else:
                        self._count("clear_errors", f"clearance {answer.status_code} {answer.text}")
            except (requests.RequestException, RuntimeError, ValueError) as exc:
                self._count("clear_errors", f"clearing: {exc!r}")


OPEN_CASES = (
    "OPEN",
    "AWAITING_DECISION",
    "INFO_REQUESTED",
    "REFUSAL_PENDING",
    "RECONSIDERATION",
    "REVIEW",
)


def settled(urls: dict[str, str]) -> bool:
    """No vetting case still open, no outbox row of any service unsent."""
    counts = db_counts(urls)
    return not any(counts["vetting"]["by_status"].get(s) for s in OPEN_CASES) and not any(
        c["outbox_unsent"] for c in counts.values()
    )


def db_counts(urls: dict[str, str]) -> dict[str, Any]:
    """Per service: rows by status in its main table, and outbox rows not yet published."""
    counts: dict[str, Any] = {}
    for service, url in urls.items():
        with psycopg.connect(url) as conn:
            by_status: dict[str, int] = dict(
                conn.execute(
                    f"SELECT status, count(*) FROM {TABLES[service]} GROUP BY status"
                ).fetchall()
            )
            unsent = conn.execute(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            ).fetchone()
        assert unsent is not None  # count(*) answers one row
        counts[service] = {"by_status": by_status, "outbox_unsent": unsent[0]}
    return counts
