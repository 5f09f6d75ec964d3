"""The daily counts summed per week as they are written: what the statistics page reads

``weekly_counts`` holds one row per (week, channel, language, intent, urgency), the week being the Monday
of the day counted; filled here from ``daily_counts``. The page then reads its rows and three small sums
instead of summing seven times as many daily rows on every view.

Drops ``ix_cases_taken``: statistics read response times from ``response_counts`` (0018) now, and
nothing else filters on ``taken_at IS NOT NULL``; the index only cost a write on every take.

Revision ID: 0019
Revises: 0018
"""

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    weekly = op.create_table(
        "weekly_counts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("intent", sa.String(40), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("week", "channel", "language", "intent", "urgent", name="uq_weekly_counts_key"),
    )
    per_week: Counter[tuple[date, str, str, str, bool]] = Counter()
    for day, channel, language, intent, urgent, n in op.get_bind().execute(sa.text(
            "SELECT day, channel, language, intent, urgent, count FROM daily_counts")):  # fmt: skip
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        per_week[(day - timedelta(days=day.weekday()), channel, language or "?", intent or "?", bool(urgent))] += int(n or 0)
    if per_week:
        op.bulk_insert(weekly, [{"week": w, "channel": c, "language": lang, "intent": i, "urgent": u, "count": n}
                                for (w, c, lang, i, u), n in sorted(per_week.items())])  # fmt: skip
    op.drop_index("ix_cases_taken", "cases")


def downgrade() -> None:
    op.create_index("ix_cases_taken", "cases", ["created_at", "taken_at", "first_human_reply_at"],
                    postgresql_where=sa.text("taken_at IS NOT NULL"), sqlite_where=sa.text("taken_at IS NOT NULL"))
    op.drop_table("weekly_counts")
