"""a tender that can be compared: the bundle's published award criteria, and documents
attached to a bid

Each project carries its price and quality weights (percent, summing to 100; existing
projects get the default 30/70), which the community's bid table scores against
(services/tendering/scoring.py). A bid may carry files (qualifications, a detailed plan),
stored as evidence is, under generated names (issue 15).

Revision ID: 0024_award_criteria
Revises: 0023_signup
Create Date: 2026-12-01 16:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_award_criteria'
down_revision = '0023_signup'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_weight_pct', sa.Integer(), server_default='30',
                                      nullable=False))
        batch_op.add_column(sa.Column('quality_weight_pct', sa.Integer(), server_default='70',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_projects_award_weights_sum_100'),
            'price_weight_pct BETWEEN 0 AND 100 AND price_weight_pct + quality_weight_pct = 100')
    op.create_table(
        'bid_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bid_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['bid_id'], ['bids.id'],
                                name=op.f('fk_bid_documents_bid_id_bids')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['accounts.id'],
                                name=op.f('fk_bid_documents_uploaded_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_documents')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_bid_documents_stored_name')),
    )
    with op.batch_alter_table('bid_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_documents_bid_id'), ['bid_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bid_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_documents_bid_id'))
    op.drop_table('bid_documents')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_award_weights_sum_100'), type_='check')
        batch_op.drop_column('quality_weight_pct')
        batch_op.drop_column('price_weight_pct')
