"""Opt-in check-ins on follow-ups: the person's consent, and when (and how) the one check-in was handled

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_follow_ups") as batch:
        batch.add_column(sa.Column("checkin_consent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("checkin_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checkin_result", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_follow_ups") as batch:
        batch.drop_column("checkin_result")
        batch.drop_column("checkin_at")
        batch.drop_column("checkin_consent")
