"""Notifications service: email and SMS to volunteers, coordinators and security teams."""
