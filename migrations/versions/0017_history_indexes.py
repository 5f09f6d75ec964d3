"""Indexes that keep the console queue, statistics and retention purge from growing with history

The queue reads only open cases; statistics read cases inside the chosen weeks; the purge finds
closed cases not yet purged and spent outbox and delivery rows oldest first. Partial indexes where
the rows served are few (open, unpurged, spent), so finished history leaves them.

Revision ID: 0017
Revises: 0013
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None

# The same predicates as app.platform.models (a migration does not import the app's code).
QUEUE_OPEN = "status IN ('waiting', 'assigned')"
CASE_UNPURGED = "status = 'closed' AND (notes_enc IS NOT NULL OR location_enc IS NOT NULL OR context IS NOT NULL)"
OUTBOX_SPENT = "status IN ('sent', 'dead', 'cancelled')"
DELIVERY_SPENT = "status IN ('done', 'failed')"


def _where(predicate: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}


def upgrade() -> None:
    op.create_index("ix_cases_queue", "cases", ["urgent", sa.text("coalesce(waiting_since, created_at)")],
                    **_where(QUEUE_OPEN))  # fmt: skip
    op.create_index("ix_cases_unpurged", "cases", ["closed_at"], **_where(CASE_UNPURGED))
    op.create_index("ix_cases_taken", "cases", ["created_at", "taken_at", "first_human_reply_at"],
                    **_where("taken_at IS NOT NULL"))  # fmt: skip
    op.create_index("ix_cases_erased", "cases", ["created_at"], **_where("erased"))
    op.create_index("ix_outbox_spent", "outbox", ["created_at"], **_where(OUTBOX_SPENT))
    op.create_index("ix_inbound_deliveries_spent", "inbound_deliveries", ["created_at"], **_where(DELIVERY_SPENT))
    op.create_index("ix_escalations_status_created", "escalations", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_escalations_status_created", "escalations")
    op.drop_index("ix_inbound_deliveries_spent", "inbound_deliveries")
    op.drop_index("ix_outbox_spent", "outbox")
    op.drop_index("ix_cases_erased", "cases")
    op.drop_index("ix_cases_taken", "cases")
    op.drop_index("ix_cases_unpurged", "cases")
    op.drop_index("ix_cases_queue", "cases")
