"""The roster in the database: operators in their table (contact details encrypted),
schedules and policies as the imported document (no personal data in it).

Routing works on a `routing.Roster`; we build one from the database with
*markers* for reachability instead of real numbers, so routing never holds a
phone number or chat id and the app decrypts them only when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.operators.service import upsert_operator
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.identity import Vault
from app.platform.models import Operator, Setting
from routing import Roster, diff_roster, parse_roster

ROSTER_KEY = "roster"


@dataclass
class ImportReport:
    changes: list[str]
    operators: int
    schedules: int
    policies: int


async def _document(session: AsyncSession) -> dict[str, Any]:
    row = await session.get(Setting, ROSTER_KEY)
    return dict(row.value) if row is not None else {"version": 0, "schedules": [], "escalation_policies": []}


def _operator_entry(op: Operator) -> dict[str, Any]:
    entry: dict[str, Any] = {"login": op.login, "name": op.display_name, "role": op.role,
                             "languages": list(op.languages or ["ru"]), "active": op.active}  # fmt: skip
    # Markers, not numbers: routing only needs to know the channel exists.
    if op.telegram_chat_enc:
        entry["telegram_chat_id"] = 1
    if op.phone_enc:
        entry["phone"] = "+10000000000"
    return entry


async def load_roster(session: AsyncSession) -> Roster:
    """The current roster; operators not named in any file still count (console alerts)."""
    operators = (await session.scalars(select(Operator).order_by(Operator.login))).all()
    doc = await _document(session)
    return _build(operators, doc)


_last: tuple[str, Roster] | None = None


def _build(operators: Any, doc: dict[str, Any]) -> Roster:
    """Parse once per distinct roster (YAML parsing is the slow part of an urgent message)."""
    global _last
    entries = [_operator_entry(o) for o in operators]
    key = repr((entries, doc))
    if _last is not None and _last[0] == key:
        return _last[1]
    data = {
        "operators": entries,
        "schedules": doc.get("schedules") or [],
        "escalation_policies": doc.get("escalation_policies") or [],
    }
    roster = parse_roster(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), registry.codes())
    _last = (key, roster)
    return roster


async def import_roster(session: AsyncSession, vault: Vault, text: str, *, actor: str = "system") -> ImportReport:
    """Validate the whole file first (RosterError, nothing changed), then apply it."""
    new = parse_roster(text, registry.codes())  # raises routing.RosterError with line numbers
    old = await load_roster(session)
    raw = yaml.safe_load(text) or {}
    for op in new.operators:
        await upsert_operator(session, vault, login=op.login, name=op.name, role=op.role, languages=list(op.languages),
                              telegram_chat_id=op.telegram_chat_id, phone=op.phone, actor=actor)  # fmt: skip
    doc = await _document(session)
    row = await session.get(Setting, ROSTER_KEY)
    value = {"version": int(doc.get("version", 0)) + 1, "schedules": raw.get("schedules") or [],
             "escalation_policies": raw.get("escalation_policies") or []}  # fmt: skip
    if row is None:
        session.add(Setting(key=ROSTER_KEY, value=value))
    else:
        row.value = value
    await session.flush()
    changes = diff_roster(_strip_contacts(old), _strip_contacts(new))
    audit(session, actor, "roster.import", None, changes=len(changes))
    return ImportReport(changes, len(new.operators), len(new.schedules), len(new.policies))


def _strip_contacts(roster: Roster) -> Roster:
    """Compare rosters without contact details (the database holds markers only)."""
    from dataclasses import replace

    ops = tuple(replace(o, telegram_chat_id=1 if o.telegram_chat_id else None,
                        phone="+10000000000" if o.phone else None) for o in roster.operators)  # fmt: skip
    return Roster(operators=ops, schedules=roster.schedules, policies=roster.policies)


async def export_roster(session: AsyncSession, vault: Vault) -> str:
    """The roster as a file, contact details decrypted for the coordinator who exports it."""
    operators = (await session.scalars(select(Operator).order_by(Operator.login))).all()
    entries = []
    for op in operators:
        entry = _operator_entry(op)
        entry.pop("active")
        if op.telegram_chat_enc:
            entry["telegram_chat_id"] = int(vault.decrypt(op.telegram_chat_enc, f"operator:{op.id}:telegram"))
        if op.phone_enc:
            entry["phone"] = vault.decrypt(op.phone_enc, f"operator:{op.id}:phone")
        entries.append(entry)
    doc = await _document(session)
    data = {"operators": entries, "schedules": doc.get("schedules") or [],
            "escalation_policies": doc.get("escalation_policies") or []}  # fmt: skip
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
