"""idempotency keys for the API's money POSTs

A funder's system retries a subscription, a credit move or a withdrawal with the same
Idempotency-Key header and gets the first answer again, never a second move (issue 15).
The key row is written in the move's own transaction, unique per account.

Revision ID: 0022_idempotency
Revises: 0020_project_cover
Create Date: 2026-12-01 12:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022_idempotency'
down_revision = '0020_project_cover'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_idempotency_keys_account_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('account_id', 'key', name='uq_idempotency_account_key'),
    )


def downgrade():
    op.drop_table('idempotency_keys')
