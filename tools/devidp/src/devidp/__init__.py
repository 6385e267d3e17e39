"""A small OpenID Connect provider for development and tests; never deployed."""
