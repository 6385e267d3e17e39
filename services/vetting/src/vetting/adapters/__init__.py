"""Vetting's outbound integrations: the check providers (adapters.providers)."""
