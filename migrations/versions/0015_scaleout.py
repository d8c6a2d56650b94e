"""composite indexes on projects for the public listing, its count and the headline figures

The listing walks one stage newest first (state, created_at); its page count joins a
county's stations to their projects in that stage (station_id, state); the headline figures
sum committed money per stage from the index alone (state, committed_fen). Measured on
100,000 projects in bench/README.md.

Revision ID: 0015_scaleout
Revises: 0014_money3
Create Date: 2026-11-25 16:45:00

"""
from alembic import op

revision = '0015_scaleout'
down_revision = '0014_money3'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_projects_state_created_at': ['state', 'created_at'],
    'ix_projects_station_id_state': ['station_id', 'state'],
    'ix_projects_state_committed_fen': ['state', 'committed_fen'],
}


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
