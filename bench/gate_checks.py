"""What the gate check's answers must be: the shape of every checked body (ours and the bare
baseline's), a smoke check before timing (suspended, ended, revoked, no grant, another
establishment's officer 404, no token 401), and the audit entries the checks left."""

from __future__ import annotations

import http.client
import json
from typing import Any

import psycopg
from gate_data import ESTABLISHMENTS, Person

GATE_KEYS = {
    "allowed",
    "reason",
    "message",
    "grant_id",
    "forenames",
    "surname",
    "date_of_birth",
    "badge_number",
    "access_type",
    "conditions",
    "permitted_days",
    "permitted_areas",
    "valid_until",
    "checked_at",
}


def check_gate(body: bytes) -> str | None:
    data = json.loads(body)
    if set(data) != GATE_KEYS or not isinstance(data["allowed"], bool):
        return f"unexpected gate answer {body[:300]!r}"
    return None


def check_bare(body: bytes) -> str | None:
    return None if "found" in json.loads(body) else f"unexpected bare answer {body[:300]!r}"


def smoke(port: int, people: list[Person], tokens: dict[str, str]) -> int:
    """Before timing: the answers are the gate's (allowed, suspended, ended, no grant, another
    establishment 404, no token 401). Returns how many audited checks it made."""

    def get(path: str, token: str | None) -> tuple[int, dict[str, Any]]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        status, body = response.status, json.loads(response.read() or b"{}")
        conn.close()
        return status, body

    audited = 0
    expected = {"SUSPENDED": "SUSPENDED", "ENDED": "ENDED", "REVOKED": "REVOKED"}
    for status, reason in expected.items():
        p = next(p for p in people if p.status == status and p.badge)
        code, body = get(f"/establishments/{p.code}/gate-check?badge={p.badge}", tokens[p.code])
        audited += 1
        if code != 200 or body["reason"] != reason or body["allowed"]:
            raise RuntimeError(f"smoke: {status} grant answered {code} {body}")
    p = next(p for p in people if p.status == "ACTIVE")
    code, body = get(f"/establishments/{p.code}/gate-check?person={p.person_id}", tokens[p.code])
    audited += 1
    if (
        code != 200
        or set(body) != GATE_KEYS
        or body["reason"]
        not in ("ALLOWED", "EXPIRED", "NOT_PERMITTED_TODAY", "CLEARANCE_NOT_ACTIVE")
    ):
        raise RuntimeError(f"smoke: ACTIVE grant answered {code} {body}")
    code, body = get(f"/establishments/{p.code}/gate-check?badge=NOPE-1", tokens[p.code])
    audited += 1
    if code != 200 or body["reason"] != "NO_GRANT" or body["grant_id"] is not None:
        raise RuntimeError(f"smoke: unknown badge answered {code} {body}")
    other = next(c for c in ESTABLISHMENTS if c != p.code)
    code, _ = get(f"/establishments/{p.code}/gate-check?person={p.person_id}", tokens[other])
    if code != 404:
        raise RuntimeError(f"smoke: another establishment's officer got {code}, not 404")
    code, _ = get(f"/establishments/{p.code}/gate-check?person={p.person_id}", None)
    if code != 401:
        raise RuntimeError(f"smoke: no token got {code}, not 401")
    return audited


def audit_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'gate.checked'"
        ).fetchone()
    assert row is not None  # count(*) answers one row
    return row[0]
