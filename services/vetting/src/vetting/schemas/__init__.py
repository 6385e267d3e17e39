"""Marshmallow schemas of vetting's API, one module per resource (OpenAPI examples too)."""
