"""Server-side sessions, sign-in throttling, single-use TOTP and recovery codes, case access grants

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "operator_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name="fk_operator_sessions_operator_id_operators",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_operator_sessions"),
    )
    op.create_index("ix_operator_sessions_operator_id", "operator_sessions", ["operator_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_throttle"),
    )
    op.create_table(
        "case_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_access_case_id_cases", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name="fk_case_access_operator_id_operators",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_case_access"),
        sa.UniqueConstraint("case_id", "operator_id", name="uq_case_access_case_operator"),
    )
    op.create_index("ix_case_access_case_id", "case_access", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_access_case_id", table_name="case_access")
    op.drop_table("case_access")
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_operator_sessions_operator_id", table_name="operator_sessions")
    op.drop_table("operator_sessions")
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("recovery_codes")
        batch.drop_column("totp_last_step")
