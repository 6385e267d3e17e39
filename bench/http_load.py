"""Closed-loop HTTP load on a server the benchmark started, two ways: `drive`, one `selectors`
loop over N keep-alive connections sending prebuilt GETs (little client CPU, no GIL contention
between client threads: for fast reads), and `load`, N threads each with an http.client
keep-alive connection (for POSTs with bodies). Both return a harness Run."""

from __future__ import annotations

import http.client
import random
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from harness import Run


def http_get(path: str, token: str | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()


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


def drive(
    label: str,
    port: int,
    requests: list[bytes],
    concurrency: int,
    duration: float,
    check: Callable[[bytes], str | None],
    check_every: int = 97,
) -> Run:
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
                length = next(
                    (
                        int(h.split(":", 1)[1])
                        for h in head[1:]
                        if h[:15].lower() == "content-length:"
                    ),
                    None,
                )
                if length is None:
                    raise RuntimeError(f"{label}: an answer without Content-Length: {head}")
                conn.body_at, conn.need = end + 4, end + 4 + length
            if len(conn.buf) < conn.need:
                continue
            done = time.perf_counter()
            latencies.append((done - conn.sent) * 1000)
            answered += 1
            body = bytes(conn.buf[conn.body_at : conn.need])
            if conn.status != 200:
                failures.append(f"{conn.status} {body[:300]!r}")
            elif answered % check_every == 0 and (problem := check(body)):
                failures.append(problem)
            del conn.buf[: conn.need]
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


@dataclass
class Request:
    path: str
    body: bytes
    headers: dict[str, str]


def load(
    label: str,
    port: int,
    requests: list[Request],
    concurrency: int,
    expect: int,
    duration: float | None = None,
) -> Run:
    """Closed loop: each thread sends its next request as soon as the last one is answered,
    until the list is used up or `duration` seconds have passed."""
    pending = iter(requests)
    deadline = [float("inf")]
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[str] = []
    start = threading.Barrier(concurrency + 1, timeout=30)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        mine = latencies[index]
        start.wait()
        while True:
            with lock:
                item = next(pending, None)
            began = time.perf_counter()
            if item is None or began > deadline[0]:
                break
            try:
                conn.request("POST", item.path, body=item.body, headers=item.headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"{item.path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != expect:
                failures.append(f"{item.path}: {response.status} {payload[:300]!r}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    if duration is not None:
        deadline[0] = began + duration
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done = [x for part in latencies for x in part]
    run = Run(label, len(done), elapsed, done, failures)
    if failures:
        raise RuntimeError(f"{label}: {len(failures)} failed requests, e.g. {failures[0]}")
    return run
