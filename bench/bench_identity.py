"""Staff tokens for the benchmarks: the development identity provider, run as the tests run it
(tests/support/identity.py). Importing this module points every process the benchmark starts
afterwards at that provider; it starts when the first token is asked for."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/x.py`: only bench/ is on the path
    sys.path.append(str(ROOT))

from tests.support.identity import PROVIDER, TEST_OIDC_ENV  # noqa: E402

os.environ.update(TEST_OIDC_ENV)


def staff_token(
    audience: str, subject: str, *roles: str, establishments: tuple[str, ...] = ()
) -> str:
    """A 15-minute access token for `audience` (a service), the same one for a minute; a long
    run asks again."""
    from shared.clock import process_clock

    return PROVIDER.mint(audience, subject, roles, establishments, at=process_clock().now())
