"""Queues that keep one person in order and let urgent messages first: delivery contact key and priority,
outbox recipient key

Revision ID: 0008
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_deliveries") as batch:
        batch.add_column(sa.Column("contact_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.create_index("ix_inbound_deliveries_due", ["status", sa.text("priority DESC"), "created_at"])
        batch.create_index("ix_inbound_deliveries_contact", ["contact_key", "status"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("address_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_outbox_address", ["address_key", "status"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_address")
        batch.drop_column("address_key")
    with op.batch_alter_table("inbound_deliveries") as batch:
        batch.drop_index("ix_inbound_deliveries_contact")
        batch.drop_index("ix_inbound_deliveries_due")
        batch.drop_column("priority")
        batch.drop_column("contact_key")
