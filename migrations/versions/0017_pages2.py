"""subscriptions by project with their amounts, so a project's sum is read from the index

The project page's money trail sums the amounts of the project's subscriptions; on the
busiest generated project (48,500 subscriptions) that was its slowest statement, a bitmap
scan of the table. The index on project_id alone is replaced by (project_id, amount_fen),
which serves every lookup the old one did. Measured in bench/README.md.

Revision ID: 0017_pages2
Revises: 0016_throttle
Create Date: 2026-11-25 19:20:00

"""
from alembic import op

revision = '0017_pages2'
down_revision = '0016_throttle'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_subscriptions_project_id_amount_fen',
                              ['project_id', 'amount_fen'], unique=False)
        batch_op.drop_index('ix_subscriptions_project_id')


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_subscriptions_project_id', ['project_id'], unique=False)
        batch_op.drop_index('ix_subscriptions_project_id_amount_fen')
