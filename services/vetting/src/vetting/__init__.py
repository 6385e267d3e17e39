"""Vetting service: checks, risk summary, decisions and clearances."""
