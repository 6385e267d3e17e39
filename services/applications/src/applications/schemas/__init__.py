"""Marshmallow schemas, one module per resource: requests, responses, the OpenAPI document
(examples included)."""
