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
    # The same examples every run, so that a suite that must pass to land never fails on a
    # lucky draw; PROPERTY_EXPLORE=1 draws new ones (and finds what the fixed ones miss).
    if os.environ.get("PROPERTY_EXPLORE") != "1":
        options.setdefault("derandomize", True)

    return settings(max_examples=max(10, round(examples * scale)), **options)
