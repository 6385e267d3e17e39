"""gunicorn's access log as JSON lines, like every other log line, each carrying the request's
correlation id (the one the app echoed in X-Correlation-ID), so a request can be followed from
the access log into the app's own lines and on into the events it caused.

Query values are cut down to ids and numbers (`redact_query`), as in the rest of the logs.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

from shared.logs import redact_query

CORRELATION_HEADER = "x-correlation-id"


class JsonAccessLogger(glogging.Logger):
    """`--logger-class shared.web.access_log.JsonAccessLogger` (the `web` command sets it)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        for handler in self.access_log.handlers:
            handler.setFormatter(formatter)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in (resp.headers or [])}
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        referer = environ.get("HTTP_REFERER")
        fields = {
            "service": self.cfg.proc_name,
            "correlation_id": headers.get(CORRELATION_HEADER) or None,
            "method": environ.get("REQUEST_METHOD"),
            "path": redact_query(path),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "referer": redact_query(referer) if referer else None,
        }
        try:
            self.access_log.info("request", extra=fields)
        except Exception:  # gunicorn's own rule: a log line never fails a request
            logging.getLogger(__name__).exception("access log line not written")
