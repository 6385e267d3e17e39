"""What the outbox and dead-letter rows say in the clear about the event copies they hold.

Their bodies are encrypted (an `application.submitted` carries the applicant's declarations),
so erasure cannot search them in SQL. Each row keeps beside it the ids its body mentions (every
UUID in it: application, person, case, grant and event ids, all pseudonymous), and erasure
finds the copies that mention a person by those.
"""

from __future__ import annotations

import re

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def mentions(body: str) -> str:
    """The ids `body` mentions, lower-case, sorted, space-separated (searched with LIKE)."""
    return " ".join(sorted({match.lower() for match in _UUID.findall(body)}))
