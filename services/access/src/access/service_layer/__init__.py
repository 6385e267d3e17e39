"""Use cases of the access service: one module per kind of work."""
