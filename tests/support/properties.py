"""Hypothesis settings for the property tests, scaled for the quick loop.

`make test` runs every property with its full number of examples; `make test-fast` sets
PROPERTY_EXAMPLES_SCALE=0.25 so the unit loop stays around a minute on two cores.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings


def property_settings(examples: int, **options: Any) -> settings:
    scale = float(os.environ.get("PROPERTY_EXAMPLES_SCALE", "1") or 1)
    # A shared two-core machine makes any example slow now and then: time is not what these test.
    options.setdefault("deadline", None)
    options.setdefault("suppress_health_check", [HealthCheck.too_slow])
    return settings(max_examples=max(10, round(examples * scale)), **options)
