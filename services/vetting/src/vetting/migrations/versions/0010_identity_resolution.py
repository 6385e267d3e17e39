"""identity resolution and countersigned overrides

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:00:00.000000

A person is no longer recognised by a plaintext "surname|forenames|date of birth" key (unique,
so two people sharing a name and birthday were merged): keyed hashes of their identity
documents, names, previous names and National Insurance number are kept in
person_identifiers (vetting.domain.identity), recomputed here from each person's cases, and the old
key is replaced by "person:<id>" (still unique). Possible matches wait for an officer (identity_candidates);
separated pairs are remembered (identity_separations). A clearance proposed against the risk
summary's recommendation waits for a manager (vetting_cases.override).
"""
from typing import Sequence, Union

import json
import sqlalchemy as sa
from alembic import context, op

from shared.config import load_settings
from shared.crypto.migrations import migration_keyring
from shared.db import UTCDateTime
from vetting.domain.identity import identifiers, key_from_settings

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('person_identifiers',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_identifiers_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_identifiers')),
    sa.UniqueConstraint('person_id', 'kind', 'digest', name=op.f('uq_person_identifiers_person_id')),
    )
    op.create_index('ix_person_identifiers_lookup', 'person_identifiers', ['kind', 'digest'])
    op.create_index(op.f('ix_person_identifiers_person_id'), 'person_identifiers', ['person_id'])
    op.create_table('identity_candidates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['vetting_cases.id'], name=op.f('fk_identity_candidates_case_id_vetting_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_identity_candidates_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_candidates')),
    sa.UniqueConstraint('case_id', 'person_id', name=op.f('uq_identity_candidates_case_id')),
    )
    op.create_index(op.f('ix_identity_candidates_case_id'), 'identity_candidates', ['case_id'])
    op.create_index(op.f('ix_identity_candidates_person_id'), 'identity_candidates', ['person_id'])
    op.create_table('identity_separations',
    sa.Column('person_a', sa.String(length=36), nullable=False),
    sa.Column('person_b', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('person_a', 'person_b', name=op.f('pk_identity_separations')),
    )
    with op.batch_alter_table('vetting_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('identity_method', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('identity_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('identity_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('override', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_vetting_cases_identity_status'), ['identity_status'], unique=False)
    _backfill()


def _backfill() -> None:
    """Each person's identifiers from their cases' applicant documents; the plaintext name
    key replaced. Cases linked under the old rule say so (NAME_MATCH)."""
    bind = op.get_bind()
    keyring = migration_keyring()
    settings = context.config.attributes.get("settings") or load_settings("vetting")
    key = key_from_settings(settings.extra, settings.secret_key)
    rows = bind.execute(sa.text(
        "SELECT id, person_id, applicant, opened_at FROM vetting_cases "
        "WHERE person_id IS NOT NULL ORDER BY opened_at")).all()
    seen: set[tuple[str, str, str]] = set()
    for case_id, person_id, applicant, opened_at in rows:
        document = json.loads(keyring.decrypt(applicant)) if applicant else {}
        for kind, digest in sorted(identifiers(document or {}, key).pairs()):
            if (person_id, kind, digest) not in seen:
                seen.add((person_id, kind, digest))
                bind.execute(sa.text(
                    "INSERT INTO person_identifiers (person_id, kind, digest, created_at) "
                    "VALUES (:p, :k, :d, :at)"), {"p": person_id, "k": kind, "d": digest,
                                                  "at": opened_at})
        bind.execute(sa.text(
            "UPDATE vetting_cases SET identity_status = 'RESOLVED', identity_method = "
            "'NAME_MATCH', identity_by = 'system', identity_at = opened_at WHERE id = :id"),
            {"id": case_id})
    bind.execute(sa.text(
        "UPDATE people SET match_key = 'person:' || id WHERE match_key NOT LIKE 'erased:%'"))


def downgrade() -> None:
    """Downgrade schema. The plaintext name keys are not restored: each person keeps their
    "person:<id>" key, so later applications open new people until re-linked."""
    op.drop_index(op.f('ix_vetting_cases_identity_status'), table_name='vetting_cases')
    # Dropped in place: SQLite's batch mode would copy vetting_cases, which the rows referring
    # to it forbid (it has DROP COLUMN since 3.35).
    for column in ('override', 'identity_at', 'identity_by', 'identity_method',
                   'identity_status'):
        op.execute(f'ALTER TABLE vetting_cases DROP COLUMN {column}')
    op.drop_table('identity_separations')
    op.drop_index(op.f('ix_identity_candidates_person_id'), table_name='identity_candidates')
    op.drop_index(op.f('ix_identity_candidates_case_id'), table_name='identity_candidates')
    op.drop_table('identity_candidates')
    op.drop_index(op.f('ix_person_identifiers_person_id'), table_name='person_identifiers')
    op.drop_index('ix_person_identifiers_lookup', table_name='person_identifiers')
    op.drop_table('person_identifiers')
