"""Web basics shared by the four Flask services."""

from shared.web.app import create_service_app, create_web_app

__all__ = ["create_service_app", "create_web_app"]
