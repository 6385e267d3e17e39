"""The workbench's part of the vetting app: its views, filters and the front door's mechanics.

A module of its own, not the package's __init__: it imports every view module, and they import
the package's other modules.
"""

from __future__ import annotations

from flask import Flask

from shared.platform import Platform


def configure_workbench(app: Flask, platform: Platform) -> None:
    from vetting.workbench import (  # noqa: F401 - each module adds its routes to the blueprint
        case_views,
        clearance_decision_views,
        clearance_views,
        decision_views,
        errors,
        identity_views,
        presenters,
        queue_views,
        report_views,
    )
    from vetting.workbench.blueprint import door

    door.configure(app, platform)
