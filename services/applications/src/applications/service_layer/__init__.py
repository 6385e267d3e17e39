"""Use cases of the applications service: small functions over a unit of work or a session."""
