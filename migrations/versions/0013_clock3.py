"""clock3: enquiry period, milestone and evaluation notices

Projects already past packaging keep ``enquiry_closes_at`` empty: their tender has no enquiry
period (questions are refused), rather than one invented after the fact.

Revision ID: 0013_clock3
Revises: 0012_evidence
Create Date: 2026-11-25 16:25:50.726522

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_clock3'
down_revision = '0012_evidence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['accounts.id'], name=op.f('fk_questions_answered_by_id_accounts')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['accounts.id'], name=op.f('fk_questions_asked_by_id_accounts')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_questions_organization_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_questions_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_milestones_open_by_due', ['status', 'overdue_notified_at', 'due_on'], unique=False)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enquiry_closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_reminded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('evaluation_overdue_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('progress_overdue_for', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('progress_overdue_for')
        batch_op.drop_column('evaluation_overdue_at')
        batch_op.drop_column('evaluation_reminded_at')
        batch_op.drop_column('evaluation_due_at')
        batch_op.drop_column('enquiry_closes_at')

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_open_by_due')
        batch_op.drop_column('overdue_notified_at')
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_project_id'))
        batch_op.drop_index(batch_op.f('ix_questions_organization_id'))

    op.drop_table('questions')