"""The case record an operator fills: codes checked against the picklists, referrals, follow-ups, earlier cases.

Everything here is codes and times: no message words, aliases only where an
operator reads them. Records go with their case (``ondelete=CASCADE``) and are
removed when the person asks to be erased (``app.privacy.service``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.casework.picklists import MULTI, REFERRAL_RESULTS, SINGLE
from app.platform.audit import audit
from app.platform.errors import HelplineError
from app.platform.models import Case, CaseFollowUp, CaseRecord, CaseReferral, ReferralEntry

# Channels a follow-up's check-in may go out on (app.oncall.checkins applies each one's rules); never a call.
CHECKIN_CHANNELS = ("telegram", "sms", "whatsapp", "webchat")


class InvalidRecord(HelplineError):
    """A value that is not one of the picklist's codes: nothing is saved."""

    status_code = 400
    code = "record_invalid"


@dataclass
class RecordForm:
    """What the operator picked: single codes or "" and lists of codes."""

    single: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)


def check(form: RecordForm) -> None:
    """Raise InvalidRecord unless every value is a code of its field's picklist."""
    for name, value in form.single.items():
        if name not in SINGLE or (value and value not in SINGLE[name]):
            raise InvalidRecord(f"{name}: not a picklist code")
    for name, values in form.multi.items():
        if name not in MULTI or any(v not in MULTI[name] for v in values):
            raise InvalidRecord(f"{name}: not a picklist code")


async def record_of(session: AsyncSession, case: Case) -> CaseRecord | None:
    return await session.get(CaseRecord, case.id)


async def save_record(session: AsyncSession, case: Case, form: RecordForm, actor: str) -> CaseRecord:
    """Create or replace the case's record; every field the form has is set, the others stay."""
    check(form)
    record = await record_of(session, case)
    if record is None:
        record = CaseRecord(case_id=case.id, exploitation_types=[], means_of_control=[], recruitment=[],
                            countries_transit=[])  # fmt: skip
        session.add(record)
    for name, value in form.single.items():
        setattr(record, name, value or None)
    for name, values in form.multi.items():
        setattr(record, name, sorted(set(values)))
    record.updated_by = actor
    audit(session, actor, "case.record", case.alias, fields=",".join(sorted([*form.single, *form.multi])))
    await session.flush()
    return record


async def add_referral(session: AsyncSession, case: Case, entry_id: int, result: str, now: datetime,
                       actor: str) -> CaseReferral:  # fmt: skip
    if result not in REFERRAL_RESULTS or await session.get(ReferralEntry, entry_id) is None:
        raise InvalidRecord("referral: unknown entry or result")
    referral = CaseReferral(case_id=case.id, referral_entry_id=entry_id, result=result, made_at=now)
    session.add(referral)
    audit(session, actor, "case.referral", case.alias, entry=entry_id, result=result)
    await session.flush()
    return referral


async def set_referral_result(session: AsyncSession, case: Case, referral_id: int, result: str, actor: str) -> None:
    referral = await session.get(CaseReferral, referral_id)
    if referral is None or referral.case_id != case.id or result not in REFERRAL_RESULTS:
        raise InvalidRecord("referral: unknown referral or result")
    referral.result = result
    audit(session, actor, "case.referral_result", case.alias, referral=referral_id, result=result)


async def referrals_of(session: AsyncSession, case: Case) -> list[tuple[CaseReferral, ReferralEntry | None]]:
    rows = await session.execute(
        select(CaseReferral, ReferralEntry)
        .outerjoin(ReferralEntry, ReferralEntry.id == CaseReferral.referral_entry_id)
        .where(CaseReferral.case_id == case.id)
        .order_by(CaseReferral.made_at)
    )
    return [(r, e) for r, e in rows.all()]


async def schedule_follow_up(session: AsyncSession, case: Case, due_at: datetime, now: datetime,
                             actor: str, *, checkin: bool = False) -> CaseFollowUp:  # fmt: skip
    """A task due at ``due_at``; ``checkin``: the person agreed to one neutral check-in message then.

    Consent is refused on a channel that never gets one (a phone call), so the page never promises it.
    """
    if due_at <= now:
        raise InvalidRecord("follow-up: the due time is in the past")
    if checkin and case.channel not in CHECKIN_CHANNELS:
        raise InvalidRecord("follow-up: this channel gets no check-in message")
    task = CaseFollowUp(case_id=case.id, due_at=due_at, created_by=actor, created_at=now, checkin_consent=checkin)
    session.add(task)
    audit(session, actor, "case.follow_up", case.alias, due=due_at.isoformat(timespec="minutes"), checkin=checkin)
    await session.flush()
    return task


async def follow_ups_of(session: AsyncSession, case: Case) -> list[CaseFollowUp]:
    rows = await session.scalars(select(CaseFollowUp).where(CaseFollowUp.case_id == case.id).order_by(CaseFollowUp.due_at))
    return list(rows.all())


@dataclass
class EarlierCase:
    """What an operator sees of a returning person's earlier case: alias, dates, outcome, record; no messages."""

    id: uuid.UUID
    alias: str
    created_at: datetime
    closed_at: datetime | None
    outcome: str | None
    record: CaseRecord | None
    linked: bool


async def earlier_cases(session: AsyncSession, case: Case) -> list[EarlierCase]:
    """The same pseudonymous contact's other, older cases, newest first."""
    if case.contact_id is None:
        return []
    current = await record_of(session, case)
    linked_id = current.linked_case_id if current else None
    rows = await session.execute(
        select(Case, CaseRecord)
        .outerjoin(CaseRecord, CaseRecord.case_id == Case.id)
        .where(Case.contact_id == case.contact_id, Case.id != case.id, Case.created_at <= case.created_at)
        .order_by(Case.created_at.desc())
        .limit(20)
    )
    return [EarlierCase(c.id, c.alias, c.created_at, c.closed_at, c.outcome, r, c.id == linked_id) for c, r in rows.all()]


async def link_earlier(session: AsyncSession, case: Case, earlier_alias: str, actor: str) -> None:
    """Mark the case as a continuation of one of the same person's earlier cases."""
    earlier = [e for e in await earlier_cases(session, case) if e.alias == earlier_alias.upper().strip()]
    if not earlier:
        raise InvalidRecord("link: not an earlier case of this person")
    record = await record_of(session, case) or await save_record(session, case, RecordForm(), actor)
    record.linked_case_id = earlier[0].id
    audit(session, actor, "case.link", case.alias, earlier=earlier[0].alias)


async def due_follow_ups(session: AsyncSession, now: datetime, login: str | None) -> list[tuple[str, CaseFollowUp]]:
    """Follow-ups due and not done, oldest first: the operator's own (``login``), or everyone's (None)."""
    query = (select(Case.alias, CaseFollowUp).join(Case, Case.id == CaseFollowUp.case_id)
             .where(CaseFollowUp.due_at <= now, CaseFollowUp.done_at.is_(None), Case.erased.is_(False))
             .order_by(CaseFollowUp.due_at).limit(50))  # fmt: skip
    if login is not None:
        query = query.where(CaseFollowUp.created_by == login)
    return [(alias, task) for alias, task in (await session.execute(query)).all()]


async def finish_follow_up(session: AsyncSession, case: Case, task_id: int, now: datetime, actor: str) -> None:
    task = await session.get(CaseFollowUp, task_id)
    if task is None or task.case_id != case.id:
        raise InvalidRecord("follow-up: not on this case")
    task.done_at = task.done_at or now
    audit(session, actor, "case.follow_up_done", case.alias, task=task_id)
