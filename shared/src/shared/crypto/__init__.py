"""Encryption at rest: the key set and encrypted column types (at_rest), the Alembic helpers that
encrypt existing columns (migrations), key rotation (rotation) and its operator commands (cli)."""
