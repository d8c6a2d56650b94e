"""county progress reports: the schedule per county and the reports recorded against it

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county', sa.String(length=40), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('next_due_on', sa.Date(), nullable=False),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['accounts.id'], name=op.f('fk_report_schedules_set_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedules')),
    sa.UniqueConstraint('county', name=op.f('uq_report_schedules_county'))
    )
    op.create_table('county_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_county_reports_recorded_by_id_accounts')),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedules.id'], name=op.f('fk_county_reports_schedule_id_report_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_county_reports')),
    sa.UniqueConstraint('schedule_id', 'due_on', name=op.f('uq_county_reports_schedule_id'))
    )
    with op.batch_alter_table('county_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_county_reports_schedule_id'), ['schedule_id'], unique=False)


def downgrade():
    with op.batch_alter_table('county_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_county_reports_schedule_id'))
    op.drop_table('county_reports')
    op.drop_table('report_schedules')
