"""urgency reasons as category codes; script_texts.language holds a script variant (uz-Cyrl)

Old rows stored the cue words matched in the person's message ("заперли") in
cases.urgent_reason and in the escalation snapshot's "reasons". They become category
codes: known codes and phrases are kept or mapped, anything else (a person's word) is
dropped; a case left with none gets "model" (urgent by the model's reading).

Revision ID: 0005
Revises: 0008
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0012"
branch_labels = None
depends_on = None

# Frozen here (a migration must not change when the app's list does).
CODES = frozenset({
    "confinement", "violence", "threat", "abduction", "moved_now", "self_harm", "child", "model",
    "danger_answer", "safe_word", "voicemail", "caller_request",
})  # fmt: skip
PHRASES = {"safe word": "safe_word", "caller pressed 0 for a person": "caller_request", "keyword": "model",
           "urgent": "model", "emergency": "model"}  # fmt: skip


def codes_of(reasons: list[str]) -> list[str]:
    """The codes an old list of reasons stands for, in order, once each."""
    out: list[str] = []
    for reason in reasons:
        reason = reason.strip()
        code = reason if reason in CODES else PHRASES.get(reason.lower())
        if code and code not in out:
            out.append(code)
    return out


def upgrade() -> None:
    with op.batch_alter_table("script_texts") as batch:
        batch.alter_column("language", existing_type=sa.String(length=4), type_=sa.String(length=16))
    bind = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("urgent", sa.Boolean()),
                     sa.column("urgent_reason", sa.Text()))  # fmt: skip
    for case_id, urgent, reason in bind.execute(sa.select(cases.c.id, cases.c.urgent, cases.c.urgent_reason)
                                                .where(cases.c.urgent_reason.is_not(None))).all():  # fmt: skip
        codes = codes_of(reason.replace(";", ",").split(","))
        new = ",".join(codes) or ("model" if urgent else None)
        if new != reason:
            bind.execute(cases.update().where(cases.c.id == case_id).values(urgent_reason=new))
    escalations = sa.table("escalations", sa.column("id", sa.Uuid()), sa.column("state", sa.JSON()))
    for esc_id, state in bind.execute(sa.select(escalations.c.id, escalations.c.state)).all():
        data = json.loads(state) if isinstance(state, str) else dict(state or {})
        old = data.get("reasons") or []
        if isinstance(old, list) and codes_of(old) != old:
            data["reasons"] = codes_of(old) or ["model"]
            bind.execute(escalations.update().where(escalations.c.id == esc_id).values(state=data))


def downgrade() -> None:
    """Codes stay codes (the words are gone); only the column width returns."""
    op.execute(sa.text("DELETE FROM script_texts WHERE length(language) > 4"))
    with op.batch_alter_table("script_texts") as batch:
        batch.alter_column("language", existing_type=sa.String(length=16), type_=sa.String(length=4))
