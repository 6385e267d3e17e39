"""Web basics shared by the four Flask services."""

from shared.web.app import create_web_app

__all__ = ["create_web_app"]
