"""The console's part of the Flask app: its front door (blueprint, session, CSRF, identity
provider, GOV.UK Frontend) and its views.

A module of its own, not the package's __init__: it imports every view module, and they import
the package's other modules.
"""

from __future__ import annotations

from flask import Flask

from shared.platform import Platform


def configure_console(app: Flask, platform: Platform) -> None:
    from access.console import (  # noqa: F401 - each module adds its routes to the blueprint
        decision_views,
        errors,
        find_views,
        gate_views,
        grant_views,
        holders_views,
        not_found_views,
        photo_views,
        queue_views,
        visit_views,
    )
    from access.console.blueprint import door
    from access.console.presenters import register_filters

    register_filters(app)
    door.configure(app, platform)
