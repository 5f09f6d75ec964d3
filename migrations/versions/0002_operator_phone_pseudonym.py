"""operators.phone_pseudonym: recognise an operator's SMS replies without storing the number in clear

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("phone_pseudonym", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_operators_phone_pseudonym", ["phone_pseudonym"])


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_constraint("uq_operators_phone_pseudonym", type_="unique")
        batch.drop_column("phone_pseudonym")
