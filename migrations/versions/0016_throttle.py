"""failed log-ins in a table, so the throttle holds across workers and hosts

Revision ID: 0016_throttle
Revises: 0015_scaleout
Create Date: 2026-11-25 18:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016_throttle'
down_revision = '0015_scaleout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_email_ip_at', ['email', 'ip', 'at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)


def downgrade():
    op.drop_table('login_failures')
