"""A checked spreadsheet kept between the dry run and "Create": its rows, sealed (encrypted
and signed) in the page, for the browser to send back, so nothing about it is stored here.

The seal names the organisation, the person and when it was made: it opens for them only, for
KEPT_FOR. It saves a second upload and nothing more: the commit checks every row again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from applications.service_layer.bulk import Row

KEPT_FOR = timedelta(minutes=30)


class Expired(ValueError):
    """The seal is too old, or not one this person made for this organisation."""


@dataclass(frozen=True)
class Checked:
    upload_id: str  # one per dry run: the commit's audit entry names it
    filename: str
    rows: list[Row]


def _fernet(secret: str) -> Fernet:
    # A key of its own, derived from the app's secret: a seal opens nothing else.
    digest = hashlib.sha256(f"portal-bulk-upload:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(
    secret: str, organisation_id: str, subject: str, filename: str, rows: list[Row], at: datetime
) -> str:
    payload = {
        "id": uuid.uuid4().hex,
        "organisation": organisation_id,
        "by": subject,
        "name": filename,
        "rows": [[row.number, row.cells, row.extra_cells] for row in rows],
    }
    packed = zlib.compress(json.dumps(payload, ensure_ascii=False).encode())
    return _fernet(secret).encrypt_at_time(packed, int(at.timestamp())).decode("ascii")


def unseal(secret: str, token: str, organisation_id: str, subject: str, at: datetime) -> Checked:
    try:
        packed = _fernet(secret).decrypt_at_time(
            token.encode("ascii"), int(KEPT_FOR.total_seconds()), int(at.timestamp())
        )
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise Expired() from exc
    payload = json.loads(zlib.decompress(packed))
    if payload["organisation"] != organisation_id or payload["by"] != subject:
        raise Expired()
    rows = [Row(number, cells, extra) for number, cells, extra in payload["rows"]]
    return Checked(payload["id"], payload["name"], rows)
