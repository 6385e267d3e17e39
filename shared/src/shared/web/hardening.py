"""Defences every service's web app has before any view runs: a bound on how deeply a JSON
body nests, and response headers that keep API answers out of caches and content sniffing.

The depth is checked on the raw bytes without recursion: Python's json parser recurses once per
level, so a body 10,000 levels deep was an unauthenticated 500 (RecursionError) while being
parsed for the NUL check or a schema, before any credential was looked at.
"""

from __future__ import annotations

import re

from flask import Flask, Response, jsonify, request

# Real bodies nest a handful of levels (an applicant's declarations are four deep).
MAX_JSON_DEPTH = 32

# A JSON string (escapes included) or one structural character; everything else is skipped.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


def too_deep_at(body: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The dotted path (as the NUL check names fields) of the first value nested deeper than
    `limit`, or None. Malformed JSON is left to the parser to refuse."""
    path: list[str] = []  # one entry per open container: the key or index being filled
    containers: list[int] = []  # "[" or "{" per level
    last_string = ""
    for token in _TOKENS.finditer(body):
        text = token.group()
        first = text[:1]
        if first == b'"':
            last_string = text[1:-1].decode("utf-8", "replace")
        elif first in (b"[", b"{"):
            if len(containers) >= limit:
                return ".".join(path) or "_schema"
            containers.append(first[0])
            path.append("0" if first == b"[" else "")
        elif first in (b"]", b"}"):
            if containers:
                containers.pop()
                path.pop()
        elif first == b":" and containers and containers[-1] == ord("{"):
            path[-1] = last_string
        elif first == b"," and containers and containers[-1] == ord("["):
            path[-1] = str(int(path[-1]) + 1)
    return None


def refuse_deep_json(app: Flask) -> None:
    """A JSON body nested deeper than MAX_JSON_DEPTH is a 400 naming where, before any work.

    Register it before any hook that parses the body; views and their guards run after it.
    """

    @app.before_request
    def json_depth():
        if not request.is_json:
            return None
        where = too_deep_at(request.get_data(cache=True))
        if where is None:
            return None
        message = f"Nested deeper than {MAX_JSON_DEPTH} levels."
        response = jsonify(
            {
                "status": 400,
                "message": "The JSON body is nested too deeply.",
                "errors": {where: [message]},
            }
        )
        response.status_code = 400
        return response


def secure_api_headers(app: Flask) -> None:
    """JSON answers (records of people, decisions, audit entries) are never stored by a browser
    or proxy, and no response is content-sniffed into something executable."""

    @app.after_request
    def api_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.is_json:
            response.headers["Cache-Control"] = "no-store"
        return response
