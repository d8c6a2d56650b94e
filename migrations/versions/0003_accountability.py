"""audit chain: prev_hash and hash on audit events, existing events sealed in id order

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from marketplace.services.record import chain

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer), sa.column("project_id", sa.Integer),
    sa.column("actor", sa.String), sa.column("actor_account_id", sa.Integer),
    sa.column("at", sa.DateTime), sa.column("trigger", sa.String),
    sa.column("from_state", sa.String), sa.column("to_state", sa.String),
    sa.column("reason", sa.Text), sa.column("details", sa.JSON),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    # Seal the events recorded before the chain existed, so `flask audit verify` holds.
    bind = op.get_bind()
    prev_hash = chain.GENESIS
    rows = bind.execute(sa.select(*(events.c[name] for name in chain.FIELDS))
                        .order_by(events.c.id)).mappings().all()
    for row in rows:
        digest = chain.link(prev_hash, row)
        bind.execute(events.update().where(events.c.id == row["id"])
                     .values(prev_hash=prev_hash, hash=digest))
        prev_hash = digest


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
