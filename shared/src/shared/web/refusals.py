"""Refused and throttled callers in the audit log: one entry per source per window.

A flood of bad credentials used to write a row per attempt, each holding up to 300 characters
of the caller's own text. Now the first refusal from a source (or the first throttling of a
caller) in each window of `RATE_LIMIT_AUDIT_WINDOW_S` writes one entry, and the rest of that
window's refusals from it are only counted by the rate limiter; what the caller sent is cut to
a short prefix of harmless characters. Windows are counted on the platform's clock.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from shared.audit import log as audit
from shared.safe_text import safe_prefix

log = logging.getLogger(__name__)


def safe_actor(actor: str) -> str:
    """ "anonymous", or "api-key:<safe prefix of the id the caller sent>"."""
    kind, _, claimed = actor.partition(":")
    if kind == "api-key" and claimed:
        return f"api-key:{safe_prefix(claimed)}"
    return "anonymous" if not claimed else safe_prefix(actor, 64)


def record_refusal(
    *,
    status: int,
    why: str,
    actor: str,
    actor_kind: str,
    aggregate_by: str,
    source: str,
    limit: str | None = None,
) -> bool:
    """Audit a refusal unless one was already written for `aggregate_by` (a source address,
    or a throttled caller) in this window. True when this one was written. Never raises: a
    refusal must go out even when the database or the limiter's storage is down."""
    limits = current_app.extensions["rate_limits"]
    platform = current_app.extensions["platform"]
    moment = platform.clock.now()
    window_s = limits.settings.audit_window_s
    window = int(moment.timestamp() // window_s)
    if not limits.first_in_window(f"audit/{aggregate_by}/{window}", window_s):
        return False
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    detail = {
        "status": status,
        "why": why,
        "endpoint": f"{request.method} {rule}"[:120],
        "window_start": datetime.fromtimestamp(window * window_s, UTC).isoformat(),
        "window_s": window_s,
        # Later refusals from this source in the window are counted by the limiter, not written.
        "aggregated": True,
    }
    if limit:
        detail["limit"] = limit
    log.warning("refused caller", extra={"status": status, "why": why, "source": source})
    try:
        with platform.session_factory() as session:
            audit.record(
                session,
                service=platform.settings.service,
                actor=actor[:100],
                actor_kind=actor_kind,
                action="auth.denied",
                subject_type="source",
                subject_id=safe_source(source),
                outcome=audit.DENIED,
                detail=detail,
                at=moment,
            )
            session.commit()
    except SQLAlchemyError:
        log.exception("could not record a refused caller", extra={"status": status})
    return True


def safe_source(source: str) -> str:
    """An address as the audit log keeps it (IPv4 or IPv6 characters, 45 at most)."""
    return re.sub(r"[^0-9A-Fa-f.:]", "", source)[:45] or "unknown"
