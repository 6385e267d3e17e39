"""The portal's part of the applications app: its views and the front door's mechanics.

A module of its own, not the package's __init__: it imports every view module, and they import
the package's other modules.
"""

from __future__ import annotations

from flask import Flask

from shared.platform import Platform


def configure_portal(app: Flask, platform: Platform) -> None:
    from applications.portal import (  # noqa: F401 - each module adds its routes to the blueprint
        api_key_views,
        application_action_views,
        application_page_views,
        application_presenters,
        application_views,
        bulk_presenters,
        bulk_views,
        check_views,
        draft_views,
        errors,
        member_views,
        organisation_views,
        volunteer_link_views,
        volunteer_section_views,
        volunteer_views,
    )
    from applications.portal.blueprint import door

    door.configure(app, platform)
