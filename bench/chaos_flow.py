"""The traffic of bench/chaos.py: an SMTP server that can be stopped and started on its port,
an organisation submitting applications at a steady rate, and a vetting officer clearing every
case that is waiting for a decision. Both clients retry what a fault interrupts, as real ones
would: the submit with the same Idempotency-Key, so a retry never submits twice."""

from __future__ import annotations

import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

import requests
from aiosmtpd.controller import Controller

from applications.schemas.examples import sample_application

RETRYABLE = {429, 500, 502, 503, 504}


class StoppableSmtp:
    """An in-process SMTP server keeping (notification id, recipient, arrival) of every message;
    `stop()` closes the port (senders get connection refused) and `start()` reopens it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.received.append(
                (str(message["X-Notification-ID"]), str(message["To"]), time.monotonic())
            )
        return "250 OK"

    def start(self) -> None:
        # A new controller each time: a stopped one's event loop is gone.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def snapshot(self) -> list[tuple[str, str, float]]:
        with self.lock:
            return list(self.received)


@dataclass
class Submission:
    application_id: str
    email: str
    submitted_at: float  # monotonic, when the 200 came back
    attempts: int


@dataclass
class Traffic:
    """What the clients did: submissions, retries (with when), and anything they gave up on."""

    submissions: list[Submission] = field(default_factory=list)
    retries: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, what)
    gave_up: list[str] = field(default_factory=list)
    cleared: set[str] = field(default_factory=set)  # case ids
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retry(self, what: str) -> None:
        with self.lock:
            self.retries.append((time.monotonic(), what))


def applicant_body(run: str, index: int) -> dict[str, Any]:
    """The sample application for a person of their own (a name and a passport of their own):
    one person's second application would open no new access requests, and the sample's
    passport under another name is a possible match an officer must look at."""
    suffix = "".join(random.choices(string.ascii_lowercase, k=8))
    body = sample_application(f"chaos-{run}-{index}@example.org", passport=f"CH{suffix}")
    body["applicant"]["surname"] = f"Chaos-{suffix}"
    return body


def _call(traffic: Traffic, what: str, deadline: float, send: Any) -> requests.Response | None:
    """Send until an answer that is not a fault's (connection lost, 5xx, 429) or `deadline`."""
    while time.monotonic() < deadline:
        try:
            response = send()
            if response.status_code not in RETRYABLE:
                return response
            traffic.retry(f"{what}: {response.status_code}")
        except requests.RequestException as exc:
            traffic.retry(f"{what}: {type(exc).__name__}")
        time.sleep(0.3)
    return None


class Organisation:
    """Creates a draft and submits it, `rate` per second, from a thread pool of its own."""

    def __init__(
        self, base_url: str, api_key: str, run: str, traffic: Traffic, give_up_s: float = 120.0
    ) -> None:
        self.base = base_url + "/applications"
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.run = run
        self.traffic = traffic
        self.give_up_s = give_up_s
        self.local = threading.local()

    def _session(self) -> requests.Session:
        if getattr(self.local, "session", None) is None:
            self.local.session = requests.Session()
            self.local.session.headers.update(self.headers)
        return self.local.session

    def submit_one(self, index: int) -> None:
        session = self._session()
        body = applicant_body(self.run, index)
        deadline = time.monotonic() + self.give_up_s
        draft = _call(
            self.traffic, "draft", deadline, lambda: session.post(self.base, json=body, timeout=10)
        )
        if draft is None or draft.status_code != 201:
            self.traffic.gave_up.append(
                f"draft {index}: {draft.status_code if draft is not None else 'timeout'}"
            )
            return
        application_id = draft.json()["id"]
        attempts = [0]

        def send() -> requests.Response:
            attempts[0] += 1
            # The same key on every try: a retry after a lost answer gets the first answer.
            return session.post(
                f"{self.base}/{application_id}/submit",
                json={},
                timeout=10,
                headers={"Idempotency-Key": application_id},
            )

        answer = _call(self.traffic, "submit", deadline, send)
        if answer is None or answer.status_code not in (200, 201):
            self.traffic.gave_up.append(
                f"submit {application_id}: "
                f"{answer.status_code if answer is not None else 'timeout'}"
            )
            return
        with self.traffic.lock:
            self.traffic.submissions.append(
                Submission(
                    application_id,
                    body["applicant"]["contact"]["email"],
                    time.monotonic(),
                    attempts[0],
                )
            )


class Officer(threading.Thread):
    """Clears every case waiting for a decision, until stopped."""

    def __init__(self, base_url: str, token: Callable[[], str], traffic: Traffic) -> None:
        super().__init__(daemon=True, name="officer")
        self.base = base_url
        self.session = requests.Session()
        self.token = token  # asked again each round: a long run outlives a 15-minute token
        self.traffic = traffic
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.3):
            try:
                self.session.headers["Authorization"] = f"Bearer {self.token()}"
                self.clear_waiting()
            except requests.RequestException as exc:
                self.traffic.retry(f"officer: {type(exc).__name__}")

    def clear_waiting(self) -> None:
        listed = self.session.get(
            f"{self.base}/cases", params={"status": "AWAITING_DECISION", "limit": 500}, timeout=10
        )
        if listed.status_code != 200:
            self.traffic.retry(f"officer list: {listed.status_code}")
            return
        for case in listed.json()["items"]:
            answer = self.session.post(
                f"{self.base}/cases/{case['id']}/clearance",
                timeout=10,
                json={"reason": "Checks clear; no concerns."},
            )
            if answer.status_code == 201 or answer.status_code == 409:
                # 409: already decided (our earlier answer was lost on the way back).
                self.traffic.cleared.add(case["id"])
            else:
                self.traffic.retry(f"clear: {answer.status_code}")
