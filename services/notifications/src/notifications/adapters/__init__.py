"""Notifications' outbound integrations: the delivery channels (adapters.channels) and the
message template files (adapters.templates)."""
