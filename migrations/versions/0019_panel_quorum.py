"""the quorum of a project's evaluation panel, set by the administrator

A panel decides as a panel (issue 12): close-out, rectification and termination need a sheet
from every seated, non-recused member, or from at least the quorum the administrator sets for
the project. NULL, the default for every existing project, means every member.

Revision ID: 0019_panel_quorum
Revises: 0018_sessions
Create Date: 2026-12-01 09:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_panel_quorum'
down_revision = '0018_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('panel_quorum', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('panel_quorum')
