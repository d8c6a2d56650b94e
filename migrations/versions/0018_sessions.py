"""sessions end when people leave: a session generation on each account

The session cookie carries the account's generation; logging out or changing the password
bumps it, so a copied cookie stops opening pages. Existing accounts start at 0 (their old
cookies, which carry no generation, are refused once: everyone logs in again after upgrade).

Revision ID: 0018_sessions
Revises: 0017_pages2
Create Date: 2026-12-01 09:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_sessions'
down_revision = '0017_pages2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
