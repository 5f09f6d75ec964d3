"""Response times as a rollup: statistics read counts per week and wait bucket, not every taken case

Also indexes the dead letters the statistics page lists newest first (``ix_outbox_dead``).

Adds ``cases.first_taken_at`` (the first time a human took the case, kept across hand-backs) and the
``response_counts`` table, and fills both from the cases already there (their current ``taken_at``
stands in for the first take, which was not kept before).

Revision ID: 0018
Revises: 0017
"""

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The same buckets as app.statistics.service.wait_bucket (a migration does not import the app's code).
EXACT_BELOW = 100
STEP = 1.02


def _bucket(seconds: float) -> int:
    seconds = max(0.0, seconds)
    if seconds < EXACT_BELOW:
        return int(seconds)
    return EXACT_BELOW + int(math.log(seconds / EXACT_BELOW) / math.log(STEP))


def _as_datetime(value: object) -> datetime:
    """Naive UTC, whether the engine gave an aware datetime (PostgreSQL) or text (SQLite)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def upgrade() -> None:
    op.add_column("cases", sa.Column("first_taken_at", sa.DateTime(timezone=True), nullable=True))
    counts = op.create_table(
        "response_counts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("week", "kind", "bucket", name="uq_response_counts_key"),
    )
    op.create_index("ix_outbox_dead", "outbox", ["created_at"], postgresql_where=sa.text("status = 'dead'"),
                    sqlite_where=sa.text("status = 'dead'"))  # fmt: skip
    op.execute("UPDATE cases SET first_taken_at = taken_at WHERE taken_at IS NOT NULL")
    tally: Counter[tuple[date, str, int]] = Counter()
    rows = op.get_bind().execute(sa.text(
        "SELECT created_at, taken_at, first_human_reply_at FROM cases "
        "WHERE taken_at IS NOT NULL OR first_human_reply_at IS NOT NULL"))  # fmt: skip
    for created, taken, replied in rows:
        created = _as_datetime(created)
        day = created.date()
        week = day - timedelta(days=day.weekday())
        for kind, at in (("take", taken), ("reply", replied)):
            if at is not None:
                tally[(week, kind, _bucket((_as_datetime(at) - created).total_seconds()))] += 1
    if tally:
        op.bulk_insert(counts, [{"week": w, "kind": k, "bucket": b, "count": n} for (w, k, b), n in sorted(tally.items())])


def downgrade() -> None:
    op.drop_index("ix_outbox_dead", "outbox")
    op.drop_table("response_counts")
    op.drop_column("cases", "first_taken_at")
