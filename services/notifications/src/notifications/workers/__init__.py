"""Notifications' long-running loops (entrypoints, they commit): the sender."""
