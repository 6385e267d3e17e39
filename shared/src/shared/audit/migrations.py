"""Alembic helpers for the data-protection tables every service has: the audit log's second
shape (an outcome column, sealed reasons and the per-subject keys that seal them, see
shared.audit.seal) and the erasure tombstones (shared.erasure).

Entries written before this carried their reason in plain text. The upgrade seals those: the
one time rows of the append-only log are rewritten, by a deliberate migration that lifts the
table's triggers for its own transaction and puts them back before it commits (on PostgreSQL
DDL is transactional, so a failure leaves the triggers in place).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet

from shared.audit import seal
from shared.clock import process_clock
from shared.crypto.migrations import migration_keyring
from shared.migrations import AUDIT_LOG_APPEND_ONLY

_SQLITE_TRIGGERS = ("UPDATE", "DELETE")


def upgrade_audit_log_v2() -> None:
    op.add_column("audit_log", sa.Column("outcome", sa.String(length=20), nullable=True))
    op.add_column("audit_log", sa.Column("sealed", sa.Text(), nullable=True))
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"], unique=False)
    op.create_table(
        "audit_subject_keys",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_subject_keys")),
        sa.UniqueConstraint("subject_type", "subject_id", name="uq_audit_subject_keys_subject"),
    )
    _seal_existing_reasons()


def downgrade_audit_log_v2() -> None:
    # The sealed reasons are not unsealed: a downgrade keeps the entries, not their "why".
    op.drop_table("audit_subject_keys")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    with _triggers_lifted():
        with op.batch_alter_table("audit_log") as batch:
            batch.drop_column("sealed")
            batch.drop_column("outcome")


def _seal_existing_reasons() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, subject_type, subject_id, reason FROM audit_log "
            "WHERE reason IS NOT NULL ORDER BY id"
        )
    ).all()
    if not rows:
        return
    keyring, keys = migration_keyring(), {}
    with _triggers_lifted():
        for row in rows:
            subject = (row.subject_type, row.subject_id)
            if subject not in keys:
                keys[subject] = Fernet.generate_key().decode()
                bind.execute(
                    sa.text(
                        "INSERT INTO audit_subject_keys (subject_type, subject_id, key, "
                        "created_at) "
                        "VALUES (:t, :i, :k, :at)"
                    ),
                    {
                        "t": subject[0],
                        "i": subject[1],
                        "k": keyring.encrypt(keys[subject]),
                        "at": process_clock().now(),
                    },
                )
            bind.execute(
                sa.text("UPDATE audit_log SET sealed = :s, reason = NULL WHERE id = :id"),
                {"s": seal.seal(keys[subject], row.reason, None), "id": row.id},
            )


class _triggers_lifted:
    """The append-only triggers off for the migration's own statements, then on again."""

    def __enter__(self) -> None:
        if op.get_bind().dialect.name == "postgresql":
            op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete")
        else:
            for event in _SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event.lower()}")

    def __exit__(self, *exc: object) -> None:
        if op.get_bind().dialect.name == "postgresql":
            op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete")
        else:
            for event in _SQLITE_TRIGGERS:
                op.execute(f"""
                    CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
                    BEGIN SELECT RAISE(ABORT, '{AUDIT_LOG_APPEND_ONLY}'); END
                """)


def create_erased_subjects() -> None:
    """The erasure tombstones (shared.erasure), in every service's database."""
    op.create_table(
        "erased_subjects",
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("erasure_id", sa.String(length=36), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_erased_subjects")),
    )


def drop_erased_subjects() -> None:
    op.drop_table("erased_subjects")
