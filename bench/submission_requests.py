"""The submit benchmark's requests: request bodies, drafts written in process (untimed) and a
submit for each, the bare baseline's POSTs, the rows the databases hold afterwards, and the
second figure, whole applications (create draft, then submit) through the API."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg
from harness import Run
from http_load import Request

from applications.schemas.examples import sample_application
from shared.config import load_settings


def body_bytes(run: str, label: str, index: int, today: date) -> bytes:
    return json.dumps(
        sample_application(f"b-{run}-{label}-{index}@example.org", today=today)
    ).encode()


def create_drafts(env: dict[str, str], organisation_id: str, bodies: list[bytes]) -> list[str]:
    """Drafts written in this process by the code POST /applications runs (the same schema
    load, then `create_draft`), 250 to a transaction: not timed, and much quicker than the API."""
    from applications.schemas.applications import ApplicationInputSchema
    from applications.service_layer.drafts import create_draft
    from shared.platform import build_platform

    platform = build_platform(load_settings("applications", env))
    schema = ApplicationInputSchema()
    ids: list[str] = []
    try:
        for start in range(0, len(bodies), 250):
            with platform.unit_of_work() as uow:
                for body in bodies[start : start + 250]:
                    ids.append(create_draft(uow, organisation_id, schema.load(json.loads(body))).id)
                uow.commit()
    finally:
        platform.engine.dispose()
    return ids


def submit_requests(key: str, draft_ids: list[str], idempotency_key: bool) -> list[Request]:
    """One submit per draft, with the draft id as the Idempotency-Key (as tests/e2e does)."""
    return [
        Request(
            f"/applications/{draft_id}/submit",
            b"",
            {
                "Authorization": f"Bearer {key}",
                **({"Idempotency-Key": draft_id} if idempotency_key else {}),
            },
        )
        for draft_id in draft_ids
    ]


def bare_requests(bodies: list[bytes]) -> list[Request]:
    return [Request("/submissions", body, {"Content-Type": "application/json"}) for body in bodies]


def count_rows(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchone()[0]


def time_pairs(
    port: int, key: str, run: str, today: date, count: int, concurrency: int
) -> dict[str, float]:
    """A second figure: a whole application, create draft then submit, per client turn."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    counter = itertools.count()
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                index = next(counter)
            if index >= count:
                break
            began = time.perf_counter()
            conn.request(
                "POST", "/applications", body=body_bytes(run, "pair", index, today), headers=headers
            )
            response = conn.getresponse()
            draft = json.loads(response.read())
            if response.status != 201:
                raise RuntimeError(f"POST /applications: {response.status} {draft}")
            conn.request(
                "POST",
                f"/applications/{draft['id']}/submit",
                body=b"",
                headers={**headers, "Idempotency-Key": draft["id"]},
            )
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"submit: {response.status} {payload[:300]!r}")
            latencies.append((time.perf_counter() - began) * 1000)
        conn.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    elapsed = time.perf_counter() - began
    pairs = Run("pairs", count, elapsed, latencies)
    return {
        "per_s": round(pairs.rps, 1),
        "p50_ms": round(pairs.percentile(50), 1),
        "p99_ms": round(pairs.percentile(99), 1),
    }
