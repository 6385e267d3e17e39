"""The audit log by concern: writing and reading entries (log), sealing their "why" per subject
(seal), the web layer's read and refusal entries (trail), the table's owner role on PostgreSQL
(owner) and the Alembic helpers for its later shapes (migrations)."""
