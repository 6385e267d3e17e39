"""Vetting's long-running loops (entrypoints, they commit): the check runner."""
