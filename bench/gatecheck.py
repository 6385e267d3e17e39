"""The gate check, measured beside a bare Flask endpoint doing the same indexed read, at 1,000
and at 100,000 grants, in one run.

    .venv/bin/python bench/gatecheck.py [--duration 5] [--rounds 6] [--concurrency 16] ...

A: `GET /establishments/{code}/gate-check?badge=…|person=…` of the access service, served by
   its own `python -m access web` (gunicorn) on a migrated PostgreSQL database, with a staff
   bearer token (security_officer, scoped to the establishment) as a gate's console sends it:
   token check, scope, the grant's row, the rules, an audit entry committed, the response.
B: the same path on bench/gate_bare_app.py: one indexed SELECT of the same columns by the same
   unique key from the same `grants` table in the same database, the row as JSON; under
   gunicorn with exactly the arguments the access web process was started with.

Two databases, `bench_gate_<run>_1k` and `bench_gate_<run>_100k`, each migrated and loaded
(COPY) with grants of realistic shape (mostly ACTIVE with badges, across eight establishments;
some suspended, ended, revoked, pending, expired, limited to some weekdays); a server A and a
server B on each. The requests pick random existing badges (55%) or person ids (40%) of the
grants, and 5% misses (an unknown badge or person: NO_GRANT), at the establishment their token
covers. The load is closed-loop: `--concurrency` keep-alive connections driven by one
`selectors` loop in this process (no wrk needed: standard library only, and little client CPU).

Before timing, a smoke check of A's answers (suspended, ended, revoked, no grant, another
establishment's officer 404, no token 401), and a warm-up of each target. Then `--rounds`
rounds: each runs both sizes one after the other (which first alternates), and at each size A
and B back to back (which first alternates every two rounds), `--duration` seconds each. The
figures are the medians over the rounds; the ratios are also given round by round (A and B of a
round ran seconds apart, on the same machine weather). CPU per request is the server's gunicorn
processes plus its database's PostgreSQL backends (/proc), per answer. Last, each target at
100k alone on one connection (`--single-duration`): the service time, without queueing. At the
end the audit log must hold exactly one `gate.checked` entry per gate check answered.

Everything it starts is under a unique name: databases `bench_gate_<run>_*`, gunicorn process
groups on ports from 18301, a temp dir; all stopped, dropped, deleted at the end, also on
failure, Ctrl-C or SIGTERM. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

# bench/ is on sys.path (this script lives there).
from harness import (
    DEPLOYMENT_ENV,
    PG_ADMIN_URL,
    Resources,
    Run,
    bare_argv,
    gunicorn_argv,
    log,
    run_and_report,
    wait_http,
)

from shared.clock import process_clock

FIRST_PORT = 18301
ESTABLISHMENTS = ("WWI", "BMI", "ACI", "ASI", "AYI", "BLI", "BXI", "DMI")
SCALES = {"1k": 1_000, "100k": 100_000}
GOAL_RPS_RATIO = 0.8     # gate throughput >= 0.8 x bare
GOAL_P99_MS = 15.0       # gate p99 < 15 ms at concurrency 16
GOAL_P99_GROWTH = 1.2    # gate p99 at 100k grants <= 1.2 x p99 at 1k
GATE_KEYS = {"allowed", "reason", "message", "grant_id", "forenames", "surname",
             "date_of_birth", "badge_number", "access_type", "conditions", "permitted_days",
             "permitted_areas", "valid_until", "checked_at"}


# ------------------------------------------------------------------------------------------
# Data: grants of realistic shape, loaded with COPY
# ------------------------------------------------------------------------------------------

GRANT_COLUMNS = (
    "id", "establishment_code", "person_id", "forenames", "surname", "date_of_birth",
    "application_id", "clearance_id", "clearance_level", "clearance_access",
    "clearance_conditions", "clearance_expires_at", "clearance_status", "status",
    "resume_status", "suspended_locally", "access_type", "conditions", "permitted_days",
    "permitted_areas", "valid_until", "induction", "badge_number", "review_on",
    "awaiting_review", "status_reason", "opened_at", "decided_at", "decided_by",
    "activated_at", "updated_at",
)
FORENAMES = ("Siobhán", "Amir", "Grace", "Tomasz", "Aisha", "David", "Mei", "Olu", "Ruth",
             "Kwame", "Eilidh", "Jan")
SURNAMES = ("O'Neill", "Khan", "Okafor", "Nowak", "Smith", "Jones", "Chen", "Williams",
            "Brown", "Adeyemi", "MacLeod", "Evans")
AREAS = ("Chapel", "Education block", "Healthcare", "Visits hall", "Gym", "Workshops")


@dataclass
class Person:
    code: str
    person_id: str
    badge: str | None
    status: str


def grant_rows(count: int, rng: random.Random, now: datetime) -> tuple[list[tuple], list[Person]]:
    """`count` grants spread over ESTABLISHMENTS: ~85% ACTIVE with a badge (a fifth of them on
    some weekdays only, 1% past their end), 5% SUSPENDED, 4% ENDED, 2% REVOKED, 2% APPROVED
    (inducted in part), 2% PENDING_REVIEW."""
    rows, people = [], []
    serial = dict.fromkeys(ESTABLISHMENTS, 0)
    for _ in range(count):
        code = rng.choice(ESTABLISHMENTS)
        serial[code] += 1
        draw = rng.random()
        status = ("ACTIVE" if draw < 0.85 else "SUSPENDED" if draw < 0.90 else
                  "ENDED" if draw < 0.94 else "REVOKED" if draw < 0.96 else
                  "APPROVED" if draw < 0.98 else "PENDING_REVIEW")
        decided = status != "PENDING_REVIEW"
        badge = f"{code}-{serial[code]:06d}" if status not in ("APPROVED", "PENDING_REVIEW") \
            else None
        opened = now - timedelta(days=rng.randint(30, 700))
        expires = now + timedelta(days=rng.randint(30, 1000))
        access = rng.choice(("ESCORTED", "UNESCORTED", "UNESCORTED", "KEY_HOLDING"))
        valid_until = expires if decided else None
        if status == "ACTIVE" and rng.random() < 0.01:
            valid_until = now - timedelta(days=rng.randint(1, 30))  # ends before clearance
        days = (sorted(rng.sample(("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"),
                                  rng.randint(1, 5)))
                if decided and rng.random() < 0.2 else None)
        induction = ({"SECURITY_BRIEFING": {"at": opened.isoformat(), "by": "sec-ann"},
                      "ID_BADGE": {"at": opened.isoformat(), "by": "sec-ann",
                                   "badge_number": badge}} if badge else {})
        person_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        rows.append((
            str(uuid.UUID(int=rng.getrandbits(128), version=4)), code, person_id,
            rng.choice(FORENAMES), rng.choice(SURNAMES),
            date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000)),
            str(uuid.uuid4()), str(uuid.uuid4()), "ENHANCED", access,
            json.dumps(["ESCORTED_ONLY"] if access == "ESCORTED" and rng.random() < .5 else []),
            expires, "SUSPENDED" if status == "SUSPENDED" and rng.random() < 0.5 else "ACTIVE",
            status, "ACTIVE" if status == "SUSPENDED" else None, status == "SUSPENDED",
            access if decided else None,
            json.dumps(["Escort to chapel"] if rng.random() < 0.1 else []),
            json.dumps(days),  # JSON null when every day, as the ORM writes None
            json.dumps(rng.sample(AREAS, rng.randint(0, 3)) if decided else []),
            valid_until, json.dumps(induction), badge, None, status == "PENDING_REVIEW",
            "Left the group" if status in ("ENDED", "REVOKED") else None,
            opened, opened + timedelta(days=3) if decided else None,
            "head-cat" if decided else None,
            opened + timedelta(days=5) if badge else None, opened + timedelta(days=5),
        ))
        people.append(Person(code, person_id, badge, status))
    return rows, people


def load_grants(url: str, count: int, seed: int) -> list[Person]:
    rows, people = grant_rows(count, random.Random(seed), process_clock().now())
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy(f"COPY grants ({', '.join(GRANT_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE grants")
        # The table and its indexes in shared buffers on both sizes (they fit easily: the
        # benchmark is about the index lookups, not about a cold cache). Optional.
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            for relation in ("grants", "uq_grants_badge", "uq_grants_person", "pk_grants"):
                conn.execute("SELECT pg_prewarm(%s)", (relation,))
        except psycopg.Error as exc:
            log(f"pg_prewarm unavailable ({exc.__class__.__name__}); cache warmed by the load")
    return people


# ------------------------------------------------------------------------------------------
# Requests: prebuilt HTTP/1.1 GETs, random existing badges and persons, a few misses
# ------------------------------------------------------------------------------------------

def tokens_by_establishment() -> dict[str, str]:
    from bench_identity import staff_token

    return {code: staff_token("access", f"sec-{code.lower()}", "security_officer",
                              establishments=(code,))
            for code in ESTABLISHMENTS}


def http_get(path: str, token: str | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()


def request_mix(people: list[Person], count: int,
                rng: random.Random) -> list[tuple[str, str]]:
    """(path, establishment) pairs: 55% badge, 40% person, 5% misses."""
    badged = [p for p in people if p.badge]
    mix = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.55:
            p = rng.choice(badged)
            mix.append((f"/establishments/{p.code}/gate-check?badge={p.badge}", p.code))
        elif draw < 0.95:
            p = rng.choice(people)
            mix.append((f"/establishments/{p.code}/gate-check?person={p.person_id}", p.code))
        else:
            code = rng.choice(ESTABLISHMENTS)
            query = (f"badge={code}-X{rng.randint(0, 10**6):06d}" if draw < 0.975 else
                     f"person={uuid.UUID(int=rng.getrandbits(128), version=4)}")
            mix.append((f"/establishments/{code}/gate-check?{query}", code))
    return mix


# ------------------------------------------------------------------------------------------
# The load: one selectors loop, N keep-alive connections, closed loop, for a time
# ------------------------------------------------------------------------------------------

class _Conn:
    __slots__ = ("body_at", "buf", "need", "sent", "sock", "status")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.need = -1
        self.body_at = 0
        self.sent = 0.0
        self.status = 0


def drive(label: str, port: int, requests: list[bytes], concurrency: int, duration: float,
          check: Callable[[bytes], str | None], check_every: int = 97) -> Run:
    """Each connection sends its next request as soon as the last is answered, until
    `duration` seconds have passed; requests are taken in turn from `requests` (from a random
    place, wrapping). Every answer must be 200; every `check_every`-th body goes to `check`."""
    sel = selectors.DefaultSelector()
    conns = [_Conn(port) for _ in range(concurrency)]
    position = random.randrange(len(requests))
    latencies: list[float] = []
    failures: list[str] = []
    answered = 0

    def send(conn: _Conn) -> None:
        nonlocal position
        conn.sent = time.perf_counter()
        conn.sock.sendall(requests[position % len(requests)])
        position += 1

    began = time.perf_counter()
    deadline = began + duration
    for conn in conns:
        sel.register(conn.sock, selectors.EVENT_READ, conn)
        send(conn)
    active, last = len(conns), began
    while active:
        events = sel.select(timeout=30)
        if not events:
            raise TimeoutError(f"{label}: no answer for 30 s")
        for key, _ in events:
            conn = key.data
            chunk = conn.sock.recv(262144)
            if not chunk:
                raise ConnectionError(f"{label}: the server closed a keep-alive connection")
            conn.buf += chunk
            if conn.need < 0:
                end = conn.buf.find(b"\r\n\r\n")
                if end < 0:
                    continue
                head = bytes(conn.buf[:end]).decode("latin-1").split("\r\n")
                conn.status = int(head[0].split(" ", 2)[1])
                length = next((int(h.split(":", 1)[1]) for h in head[1:]
                               if h[:15].lower() == "content-length:"), None)
                if length is None:
                    raise RuntimeError(f"{label}: an answer without Content-Length: {head}")
                conn.body_at, conn.need = end + 4, end + 4 + length
            if len(conn.buf) < conn.need:
                continue
            done = time.perf_counter()
            latencies.append((done - conn.sent) * 1000)
            answered += 1
            body = bytes(conn.buf[conn.body_at:conn.need])
            if conn.status != 200:
                failures.append(f"{conn.status} {body[:300]!r}")
            elif answered % check_every == 0 and (problem := check(body)):
                failures.append(problem)
            del conn.buf[:conn.need]
            conn.need, last = -1, done
            if done < deadline and not failures:
                send(conn)
            else:
                sel.unregister(conn.sock)
                conn.sock.close()
                active -= 1
    sel.close()
    if failures:
        raise RuntimeError(f"{label}: {len(failures)} bad answers, e.g. {failures[0]}")
    return Run(label, len(latencies), last - began, latencies)


def check_gate(body: bytes) -> str | None:
    data = json.loads(body)
    if set(data) != GATE_KEYS or not isinstance(data["allowed"], bool):
        return f"unexpected gate answer {body[:300]!r}"
    return None


def check_bare(body: bytes) -> str | None:
    return None if "found" in json.loads(body) else f"unexpected bare answer {body[:300]!r}"


# ------------------------------------------------------------------------------------------
# CPU per request: the server's gunicorn processes, and the PostgreSQL backends of its database
# ------------------------------------------------------------------------------------------

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_ms(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime + stime


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append(int(entry.name))
    return kids


def cpu_snapshot(master: int, database: str) -> dict[int, float]:
    pids = [master, *_children(master)]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        pids += [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]
    return {pid: _cpu_ms(pid) for pid in pids}


def cpu_between(before: dict[int, float], master: int, database: str) -> float:
    after = cpu_snapshot(master, database)
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


# ------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str      # "gate" or "bare"
    scale: str     # "1k" or "100k"
    port: int
    process: subprocess.Popen
    database: str
    requests: list[bytes]
    check: Callable[[bytes], str | None]

    @property
    def label(self) -> str:
        return f"{self.name}-{self.scale}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per timed run")
    parser.add_argument("--rounds", type=int, default=6, help="timed runs of each target")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds per target")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers for all (default: as `access web`)")
    parser.add_argument("--single-duration", type=float, default=3.0,
                        help="then seconds at concurrency 1 per target at 100k (0: skip)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    resources = Resources(uuid.uuid4().hex[:8], "gate", FIRST_PORT)
    return run_and_report("gatecheck", args, resources, measure)


def access_cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "access", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"access {' '.join(args)}: {result.stderr.strip()}")


def smoke(port: int, people: list[Person], tokens: dict[str, str]) -> int:
    """Before timing: the answers are the gate's (allowed, suspended, ended, no grant, another
    establishment 404, no token 401). Returns how many audited checks it made."""
    import http.client

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
    if code != 200 or set(body) != GATE_KEYS or body["reason"] not in (
            "ALLOWED", "EXPIRED", "NOT_PERMITTED_TODAY", "CLEARANCE_NOT_ACTIVE"):
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
        return conn.execute("SELECT count(*) FROM audit_log WHERE action = 'gate.checked'"
                            ).fetchone()[0]


def measure(args: argparse.Namespace, run: str, resources: Resources,
            out: dict[str, Any]) -> None:
    rng = random.Random(args.seed)
    tokens = tokens_by_establishment()
    targets: list[Target] = []
    urls: dict[str, str] = {}
    web_argv: list[str] = []
    for offset, (scale, count) in enumerate(SCALES.items()):
        url = urls[scale] = resources.database(scale)
        database = url.rsplit("/", 1)[1]
        gate_port, bare_port = resources.port(), resources.port()
        env = {**os.environ, **DEPLOYMENT_ENV, "DATABASE_URL": url,
               "VAR_DIR": str(resources.dir / "var"), "PORT": str(gate_port),
               "PYTHONUNBUFFERED": "1"}
        log(f"{scale}: migrate, load {count:,} grants")
        access_cli(env, "migrate")
        t0 = time.perf_counter()
        people = load_grants(url, count, args.seed + offset)
        log(f"{scale}: {count:,} grants loaded in {time.perf_counter() - t0:.1f} s")
        web_args = ["web", "--bind", f"127.0.0.1:{gate_port}"]
        if args.workers:
            web_args += ["--workers", str(args.workers)]
        gate = resources.process(f"gate-{scale}", [sys.executable, "-m", "access", *web_args],
                                 env)
        web_argv = gunicorn_argv(gate.pid)
        bare = resources.process(f"bare-{scale}",
                                 bare_argv(web_argv, bare_port, "gate_bare_app:create_app()"),
                                 {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"})
        wait_http(gate_port, "/health", gate)
        wait_http(bare_port, "/health", bare)
        out[f"smoke_audited_{scale}"] = smoke(gate_port, people, tokens)
        mix = request_mix(people, 20_000, rng)
        targets.append(Target("gate", scale, gate_port, gate, database,
                              [http_get(path, tokens[code]) for path, code in mix], check_gate))
        targets.append(Target("bare", scale, bare_port, bare, database,
                              [http_get(path, None) for path, _ in mix], check_bare))
    out["gunicorn"] = " ".join(web_argv[web_argv.index("gunicorn") + 2:])
    log(f"four servers up: gunicorn {out['gunicorn']}")
    audited_before = {scale: audit_count(url) for scale, url in urls.items()}

    c, duration = args.concurrency, args.duration
    answered = {scale: 0 for scale in SCALES}
    log(f"warm-up: {args.warmup:g} s each")
    for target in targets:
        warm = drive(f"{target.label}-warmup", target.port, target.requests, c, args.warmup,
                     target.check)
        if target.name == "gate":
            answered[target.scale] += warm.count

    runs: dict[str, list[Run]] = {t.label: [] for t in targets}
    cpu: dict[str, list[float]] = {t.label: [] for t in targets}
    by_label = {t.label: t for t in targets}
    for r in range(args.rounds):
        # Each round: the two sizes one after the other (1k first, then 100k first), and at
        # each size ours and the bare one back to back (ours first in rounds 1-2, 5-6, ...).
        scales = list(SCALES) if r % 2 == 0 else list(reversed(SCALES))
        names = ["gate", "bare"] if (r // 2) % 2 == 0 else ["bare", "gate"]
        order = [by_label[f"{name}-{scale}"] for scale in scales for name in names]
        for target in order:
            before = cpu_snapshot(target.process.pid, target.database)
            result = drive(target.label, target.port, target.requests, c, duration, target.check)
            cpu[target.label].append(cpu_between(before, target.process.pid, target.database)
                                     / result.count)
            runs[target.label].append(result)
            if target.name == "gate":
                answered[target.scale] += result.count
            log(f"round {r + 1}/{args.rounds} {target.label:>9}: {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.2f} ms  p99 {result.percentile(99):6.2f} ms  "
                f"cpu {cpu[target.label][-1]:5.2f} ms/req  ({result.count} in "
                f"{result.elapsed_s:.1f} s)")

    # Service time: one connection, nothing queued (what the p99 at 16 is made of, on 2 cores).
    for target in targets:
        if target.scale == "100k" and args.single_duration > 0:
            result = drive(f"{target.label}-c1", target.port, target.requests, 1,
                           args.single_duration, target.check)
            out[f"{target.name}_c1_p50_ms"] = round(result.percentile(50), 2)
            out[f"{target.name}_c1_p99_ms"] = round(result.percentile(99), 2)
            if target.name == "gate":
                answered[target.scale] += result.count
            log(f"concurrency 1 {target.label:>9}: {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.2f} ms  p99 {result.percentile(99):6.2f} ms")

    # Every gate check answered is in the audit log (the demand), none more.
    for scale, url in urls.items():
        audited = audit_count(url) - audited_before[scale]
        if audited != answered[scale]:
            raise RuntimeError(f"{scale}: {audited} gate.checked audit entries for "
                               f"{answered[scale]} answered gate checks")
    out["audited"] = answered

    def median(label: str, figure: Callable[[Run], float]) -> float:
        return statistics.median(figure(x) for x in runs[label])

    for scale in SCALES:
        for name in ("gate", "bare"):
            label = f"{name}-{scale}"
            out[f"{name}_rps_{scale}"] = round(median(label, lambda x: x.rps), 1)
            out[f"{name}_p50_{scale}_ms"] = round(median(label, lambda x: x.percentile(50)), 2)
            out[f"{name}_p99_{scale}_ms"] = round(median(label, lambda x: x.percentile(99)), 2)
            out[f"{name}_cpu_ms_per_req_{scale}"] = round(statistics.median(cpu[label]), 2)
        out[f"rps_ratio_{scale}"] = round(out[f"gate_rps_{scale}"] / out[f"bare_rps_{scale}"], 3)
        out[f"cpu_ratio_{scale}"] = round(out[f"gate_cpu_ms_per_req_{scale}"]
                                          / out[f"bare_cpu_ms_per_req_{scale}"], 3)
        out[f"rps_ratio_by_round_{scale}"] = [
            round(a.rps / b.rps, 3)
            for a, b in zip(runs[f"gate-{scale}"], runs[f"bare-{scale}"], strict=True)]
    # The headline figures are at 100,000 grants; the goals are checked at both sizes.
    out.update({
        "gate_rps": out["gate_rps_100k"], "bare_rps": out["bare_rps_100k"],
        "gate_p50_ms": out["gate_p50_100k_ms"], "bare_p50_ms": out["bare_p50_100k_ms"],
        "gate_p99_ms": out["gate_p99_100k_ms"], "bare_p99_ms": out["bare_p99_100k_ms"],
        "gate_p99_1k_ms": out["gate_p99_1k_ms"],
        "rps_ratio": out["rps_ratio_100k"],
        "p99_growth": round(out["gate_p99_100k_ms"] / out["gate_p99_1k_ms"], 3),
        "p99_growth_by_round": [
            round(a.percentile(99) / b.percentile(99), 3)
            for a, b in zip(runs["gate-100k"], runs["gate-1k"], strict=True)],
    })
    out["goal_rps_met"] = min(out["rps_ratio_1k"], out["rps_ratio_100k"]) >= GOAL_RPS_RATIO
    out["goal_p99_met"] = max(out["gate_p99_1k_ms"], out["gate_p99_100k_ms"]) < GOAL_P99_MS
    out["goal_p99_growth_met"] = out["p99_growth"] <= GOAL_P99_GROWTH
    out["goals_met"] = out["goal_rps_met"] and out["goal_p99_met"] and out["goal_p99_growth_met"]
    out["runs"] = {label: [{"rps": round(x.rps, 1), "p50_ms": round(x.percentile(50), 2),
                            "p99_ms": round(x.percentile(99), 2), "requests": x.count}
                           for x in values]
                   for label, values in runs.items()}
    out.update({"duration_s": duration, "rounds": args.rounds, "concurrency": c,
                "warmup_s": args.warmup, "grants": SCALES, "nproc": os.cpu_count(),
                "date": time.strftime("%Y-%m-%d")})
    print_table(out)


def print_table(out: dict[str, Any]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    def listed(values: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in values)

    print()
    print(f"gate check  ({out['rounds']} rounds of {out['duration_s']:g} s per target, "
          f"interleaved, {out['concurrency']} keep-alive connections; medians over the rounds)")
    print(f"  all four servers under gunicorn {out['gunicorn']}")
    print(f"  {'':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}")
    for scale, count in SCALES.items():
        for name, what in (("bare", "bare: one indexed SELECT"),
                           ("gate", "ours: GET …/gate-check")):
            print(f"  {f'{what}, {count:,} grants':<42} {out[f'{name}_rps_{scale}']:>8.1f} "
                  f"{out[f'{name}_p50_{scale}_ms']:>8.2f} {out[f'{name}_p99_{scale}_ms']:>8.2f} "
                  f"{out[f'{name}_cpu_ms_per_req_{scale}']:>11.2f}")
        print(f"    ours / bare: throughput {out[f'rps_ratio_{scale}']:.2f}x (round by round "
              f"{listed(out[f'rps_ratio_by_round_{scale}'])}), CPU per request "
              f"{out[f'cpu_ratio_{scale}']:.2f}x")
    if "gate_c1_p50_ms" in out:
        print(f"  one connection (no queueing), 100,000 grants: ours p50 "
              f"{out['gate_c1_p50_ms']:.2f} / p99 {out['gate_c1_p99_ms']:.2f} ms, bare p50 "
              f"{out['bare_c1_p50_ms']:.2f} / "
              f"p99 {out['bare_c1_p99_ms']:.2f} ms")
    print(f"  goal throughput >= {GOAL_RPS_RATIO}x bare at both sizes: "
          f"{verdict(out['goal_rps_met'])}")
    print(f"  goal p99 < {GOAL_P99_MS:g} ms at concurrency {out['concurrency']}, both sizes: "
          f"{verdict(out['goal_p99_met'])} (bare: {out['bare_p99_1k_ms']:.1f} / "
          f"{out['bare_p99_100k_ms']:.1f} ms)")
    print(f"  goal p99 at 100k <= {GOAL_P99_GROWTH}x p99 at 1k: {out['p99_growth']:.2f}x "
          f"(round by round {listed(out['p99_growth_by_round'])}): "
          f"{verdict(out['goal_p99_growth_met'])}")
    print("  CPU ms/req: the server's gunicorn processes + its database's PostgreSQL backends")
    print(f"  machine: nproc {out['nproc']}, load average {out['loadavg_start']:.1f} at the "
          f"start (shared: compare the ratios, and rerun if the load is high)")
    print(flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - already reported; the JSON line carries the error
        sys.exit(1)
