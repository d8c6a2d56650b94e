"""a project's cover picture, uploaded by its community

The public project page leads with a picture (issue 14): the community uploads one (a JPEG or
PNG, checked by its bytes and stored under a generated name beside the evidence files). NULL,
the default for every existing project, shows the drawn picture of the project's service area.

Revision ID: 0020_project_cover
Revises: 0019_panel_quorum
Create Date: 2026-12-01 12:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_project_cover'
down_revision = '0019_panel_quorum'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_stored_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cover_content_type', sa.String(length=100),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('cover_content_type')
        batch_op.drop_column('cover_stored_name')
