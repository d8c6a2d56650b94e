"""money3: subscriptions paid from credit, evaluation awards

Revision ID: 0014_money3
Revises: 0013_clock3
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_money3'
down_revision = '0013_clock3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_credit', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table('evaluation_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_evaluation_awards_amount_positive')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['accounts.id'], name=op.f('fk_evaluation_awards_granted_by_id_accounts')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_evaluation_awards_organization_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluation_awards_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_awards')),
    sa.UniqueConstraint('project_id', name=op.f('uq_evaluation_awards_project_id'))
    )
    with op.batch_alter_table('evaluation_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_awards_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_awards_organization_id'))
    op.drop_table('evaluation_awards')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('from_credit')
