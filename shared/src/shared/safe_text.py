"""What is kept of text a caller chose (a key id, a username typed at sign-in) where it is
written for good, as in the audit log: a short prefix of harmless characters."""

from __future__ import annotations

import re

# An API key's id is 16 hex characters: a real one is kept whole (an auditor can see a revoked
# key still in use), and nothing longer gets in.
SAFE_PREFIX_LENGTH = 16
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_prefix(text: str, length: int = SAFE_PREFIX_LENGTH) -> str:
    """The first `length` letters, digits, '.', '_' or '-' of `text`; '…' marks a cut."""
    kept = _UNSAFE.sub("", text)
    return kept[:length] + ("…" if len(kept) > length or len(kept) < len(text) else "")
