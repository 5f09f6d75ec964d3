"""Structured case records (HTCDS-aligned codes), referrals made and follow-ups on a case

Revision ID: 0011
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0005"
branch_labels = None
depends_on = None


def _cases_fk(ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey("cases.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "case_records",
        sa.Column("case_id", sa.Uuid(), _cases_fk(), primary_key=True),
        sa.Column("contact_type", sa.String(length=32), nullable=True),
        sa.Column("exploitation_types", sa.JSON(), nullable=False),
        sa.Column("means_of_control", sa.JSON(), nullable=False),
        sa.Column("recruitment", sa.JSON(), nullable=False),
        sa.Column("country_origin", sa.String(length=8), nullable=True),
        sa.Column("countries_transit", sa.JSON(), nullable=False),
        sa.Column("country_exploitation", sa.String(length=8), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("gender", sa.String(length=32), nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("linked_case_id", sa.Uuid(), _cases_fk("SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
    )
    op.create_table(
        "case_referrals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Uuid(), _cases_fk(), nullable=False),
        sa.Column("referral_entry_id", sa.Integer(), sa.ForeignKey("referral_entries.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_referrals_case_id", "case_referrals", ["case_id"])
    op.create_table(
        "case_follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Uuid(), _cases_fk(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_follow_ups_case_id", "case_follow_ups", ["case_id"])
    op.create_index("ix_case_follow_ups_due_at", "case_follow_ups", ["due_at"])


def downgrade() -> None:
    op.drop_table("case_follow_ups")
    op.drop_table("case_referrals")
    op.drop_table("case_records")
