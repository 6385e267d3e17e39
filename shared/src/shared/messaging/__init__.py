"""Messaging adapters: topology, broker connections, publishers."""
