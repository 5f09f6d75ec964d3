"""Typed SQLAlchemy 2 models.

Nothing that identifies a person is stored in clear: contacts are found by a
keyed pseudonym, their delivery address and every message body are
AES-GCM ciphertexts bound to their row (see ``app.platform.identity``).
Statuses, kinds and channels are ``Literal`` types: the values a column may
hold are written once here, and the type checker holds every writer to them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bots.messages import Channel

CaseStatus = Literal["bot", "waiting", "assigned", "closed"]
Direction = Literal["in", "out"]
Author = Literal["person", "bot", "operator"]
Role = Literal["operator", "coordinator", "admin"]
DeliveryStatus = Literal["pending", "done", "failed"]
OutboxKind = Literal["reply", "alert", "relay", "system"]
OutboxStatus = Literal["pending", "sending", "sent", "dead", "cancelled"]
ScriptStatus = Literal["draft", "published", "retired"]
Variant = Literal["chat", "sms", "voice"]
EscalationStatus = Literal["running", "taken", "exhausted", "cancelled"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Partial-index predicates, written once: a query that filters with the same text is served by the index
# (PostgreSQL and SQLite use a partial index only when the query's WHERE implies its predicate).
QUEUE_OPEN = "status IN ('waiting', 'assigned')"
CASE_UNPURGED = "status = 'closed' AND (notes_enc IS NOT NULL OR location_enc IS NOT NULL OR context IS NOT NULL)"
CASE_ERASED = "erased"
OUTBOX_SPENT = "status IN ('sent', 'dead', 'cancelled')"
DELIVERY_SPENT = "status IN ('done', 'failed')"


def _partial(predicate: str) -> dict[str, Any]:
    return {"postgresql_where": text(predicate), "sqlite_where": text(predicate)}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on both engines: SQLite keeps naive UTC, we put the zone back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Contact(Base):
    """A person as the system knows them: a pseudonym, never a name or number."""

    __tablename__ = "contacts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    channel: Mapped[Channel] = mapped_column(String(16))
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    address_enc: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(4))
    # Coarse country from the phone prefix (for emergency numbers); never the number.
    country: Mapped[str | None] = mapped_column(String(2))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_word_fp: Mapped[str | None] = mapped_column(String(64))
    # Small conversation state: what the bot is waiting for (erase confirm, safety check).
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Case(Base):
    """One conversation; humans refer to it by its short alias only."""

    __tablename__ = "cases"
    __table_args__ = (
        # The console queue: only open cases are read, however many closed ones history holds.
        Index("ix_cases_queue", "urgent", text("coalesce(waiting_since, created_at)"), **_partial(QUEUE_OPEN)),
        # Retention: closed cases whose notes, place or context are still kept (purged ones leave the index).
        Index("ix_cases_unpurged", "closed_at", **_partial(CASE_UNPURGED)),
        # Statistics: erasures inside the chosen weeks (response times come from ResponseCount).
        Index("ix_cases_erased", "created_at", **_partial(CASE_ERASED)),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    alias: Mapped[str] = mapped_column(String(12), unique=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    channel: Mapped[Channel] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[CaseStatus] = mapped_column(String(12), default="bot", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_reason: Mapped[str | None] = mapped_column(Text)  # category codes, comma-separated: never words
    last_intent: Mapped[str | None] = mapped_column(String(40))
    assigned_operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("operators.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    notes_enc: Mapped[str | None] = mapped_column(Text)
    location_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # kept across hand-backs and re-takes
    first_human_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the person said they are (ISO code), else None: emergency numbers and referrals follow it.
    country: Mapped[str | None] = mapped_column(String(2))
    # What the case remembers across turns, as codes only (city, red flags, the bot's last question),
    # never the person's words: see app.conversations.context.
    context: Mapped[dict | None] = mapped_column(JSON, default=dict)

    contact: Mapped[Contact | None] = relationship(lazy="raise")
    assigned_operator: Mapped[Operator | None] = relationship(lazy="raise")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_messages_channel_external_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[Direction] = mapped_column(String(3))
    sender: Mapped[Author] = mapped_column(String(10))
    channel: Mapped[Channel] = mapped_column(String(16))
    body_enc: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = mapped_column(String(128))
    # Provider's id of the message inside the chat (for /erase), not identifying.
    chat_ref: Mapped[str | None] = mapped_column(String(64))
    operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    # Declared so one flush orders INSERTs by foreign key; never loaded implicitly.
    case: Mapped[Case] = relationship(lazy="raise")


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[Role] = mapped_column(String(16), default="operator")
    languages: Mapped[list] = mapped_column(JSON, default=list)
    telegram_chat_enc: Mapped[str | None] = mapped_column(Text)
    telegram_pseudonym: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_pseudonym: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    totp_secret_enc: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The last TOTP time step accepted: a code (or an earlier one) never signs in twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Keyed hashes of the unused one-time recovery codes, for a lost phone.
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list)


class OperatorSession(Base):
    """A signed-in browser, server side: ending the row ends the cookie, wherever it was copied to."""

    __tablename__ = "operator_sessions"
    # SHA-256 of the cookie's random id: a database thief cannot make a cookie from it.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why it ended (logout, idle, password, role, deactivated, ended by hand) for the sessions page.
    ended_reason: Mapped[str | None] = mapped_column(String(16))


class SignInThrottle(Base):
    """Failed sign-ins per client address or per account (each a keyed hash), and the delay they earned."""

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseAccess(Base):
    """An operator let into a case outside their queue: transferred to them or opened for them by a coordinator."""

    __tablename__ = "case_access"
    __table_args__ = (UniqueConstraint("case_id", "operator_id", name="uq_case_access_case_operator"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InboundDelivery(Base):
    """A provider's delivery as received, encrypted, so a crash after the 200 loses nothing."""

    __tablename__ = "inbound_deliveries"
    __table_args__ = (
        UniqueConstraint("channel", "delivery_id", name="uq_inbound_deliveries_channel_delivery"),
        # Serves the claim's order (urgent first, then oldest) without sorting the backlog.
        Index("ix_inbound_deliveries_due", "status", text("priority DESC"), "created_at"),
        Index("ix_inbound_deliveries_contact", "contact_key", "status"),
        # Retention deletes spent deliveries oldest first, in small batches.
        Index("ix_inbound_deliveries_spent", "created_at", **_partial(DELIVERY_SPENT)),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    channel: Mapped[Channel] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(128))
    # The sender's pseudonym: one person's deliveries are handled one at a time, oldest first.
    contact_key: Mapped[str | None] = mapped_column(String(64))
    # Set at the door by cue matching (1 = looks urgent): workers claim these first.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    payload_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxItem(Base):
    """Something to send, written in the transaction that decided it, sent after commit."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"), Index("ix_outbox_address", "address_key", "status"),
                      Index("ix_outbox_spent", "created_at", **_partial(OUTBOX_SPENT)),
                      Index("ix_outbox_dead", "created_at", **_partial("status = 'dead'")))  # the statistics page's list  # fmt: skip
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    channel: Mapped[Channel] = mapped_column(String(16))
    kind: Mapped[OutboxKind] = mapped_column(String(16), default="reply")
    # The recipient's pseudonym: one chat's rows go out one at a time, in order.
    address_key: Mapped[str | None] = mapped_column(String(64))
    address_enc: Mapped[str] = mapped_column(Text)
    payload_enc: Mapped[str] = mapped_column(Text)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    status: Mapped[OutboxStatus] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case | None] = relationship(lazy="raise")
    message: Mapped[Message | None] = relationship(lazy="raise")


class AuditEntry(Base):
    """Who did what to which case or script, when; never a message body."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class ScriptText(Base):
    """One bot text per key (an intent or a system prompt), language and variant, versioned."""

    __tablename__ = "script_texts"
    __table_args__ = (UniqueConstraint("key", "language", "variant", "version", name="uq_script_texts_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))  # a language, or a script variant of one ("uz-Cyrl")
    variant: Mapped[Variant] = mapped_column(String(8), default="chat")
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ScriptStatus] = mapped_column(String(10), default="published")
    text: Mapped[str] = mapped_column(Text)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(64), default="seed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _Counted:
    """What an anonymous count is kept by: the channel, the language, the intent and the urgency, never a person."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[Channel] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(4))
    intent: Mapped[str] = mapped_column(String(40))
    urgent: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DailyCount(_Counted, Base):
    """Anonymous counts that outlive erasure: statistics without people."""

    __tablename__ = "daily_counts"
    __table_args__ = (UniqueConstraint("day", "channel", "language", "intent", "urgent", name="uq_daily_counts_key"),)
    day: Mapped[date] = mapped_column(Date)


class WeeklyCount(_Counted, Base):
    """The daily counts summed per week as they are written: what the statistics page reads.

    ``week`` is the Monday of the day counted. The page's weeks are a few hundred rows here, where the
    daily rollup holds seven times as many for the same weeks to sum on every view.
    """

    __tablename__ = "weekly_counts"
    __table_args__ = (UniqueConstraint("week", "channel", "language", "intent", "urgent", name="uq_weekly_counts_key"),)
    week: Mapped[date] = mapped_column(Date)


class ResponseCount(Base):
    """How long people waited for a human, as counts per week and wait bucket: percentiles without reading cases.

    ``kind`` is ``take`` (a human first took the case) or ``reply`` (a human first answered); ``week`` is the
    Monday of the week the case began; ``bucket`` is app.statistics.service.wait_bucket's. Outlives erasure
    and retention, as the daily counts do.
    """

    __tablename__ = "response_counts"
    __table_args__ = (UniqueConstraint("week", "kind", "bucket", name="uq_response_counts_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    week: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    bucket: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Escalation(Base):
    """A running escalation: routing's pure state as JSON plus the durable timer."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_due", "status", "next_at"),
                      Index("ix_escalations_status_created", "status", "created_at"))  # fmt: skip
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[EscalationStatus] = mapped_column(String(12), default="running")
    fence: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(lazy="raise")


class AlertRef(Base):
    """Where an alert landed (an operator's Telegram message, a ringing call), to withdraw it."""

    __tablename__ = "alert_refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"))
    channel: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(lazy="raise")


class Setting(Base):
    """Deployment settings coordinators change at run time (discreet mode, active model)."""

    __tablename__ = "runtime_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON, default=dict)


class ReferralEntry(Base):
    """Where a person can get help (shelter, lawyer, consulate): texts per language, re-checked by coordinators."""

    __tablename__ = "referral_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # shelter / legal / medical / consulate / iom / ngo / hotline
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(64), default="")  # a city key from the seed table ("istanbul"), or ""
    # {"ru": "...", "kk": "...", "uz": "..."}: each text in every language the person may write in.
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    hours: Mapped[dict] = mapped_column(JSON, default=dict)
    how_to_reach: Mapped[dict] = mapped_column(JSON, default=dict)
    last_verified: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CaseRecord(Base):
    """The structured record of a case (app.casework.picklists codes only, never words): one row per case."""

    __tablename__ = "case_records"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    contact_type: Mapped[str | None] = mapped_column(String(32))
    exploitation_types: Mapped[list] = mapped_column(JSON, default=list)
    means_of_control: Mapped[list] = mapped_column(JSON, default=list)
    recruitment: Mapped[list] = mapped_column(JSON, default=list)
    country_origin: Mapped[str | None] = mapped_column(String(8))
    countries_transit: Mapped[list] = mapped_column(JSON, default=list)
    country_exploitation: Mapped[str | None] = mapped_column(String(8))
    sector: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(8))
    # An earlier case of the same person the operator linked this one to (its id, never a name).
    linked_case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class CaseReferral(Base):
    """A referral made on a case: to which directory entry, and whether it was accepted."""

    __tablename__ = "case_referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    referral_entry_id: Mapped[int | None] = mapped_column(ForeignKey("referral_entries.id", ondelete="SET NULL"))
    result: Mapped[str] = mapped_column(String(12), default="pending")  # pending / accepted / declined
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseFollowUp(Base):
    """A task on a case with a due time; due ones show in the console."""

    __tablename__ = "case_follow_ups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The person agreed to one neutral check-in message when the task comes due (app.oncall.checkins).
    checkin_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the check-in was handled (sent, held or not allowed): set once, so it never goes twice.
    checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_result: Mapped[str | None] = mapped_column(String(16))  # app.oncall.checkins.RESULTS


class SharedFile(Base):
    """Bytes every instance must see: voice prompts, coordinators' NLU additions, trained model versions.

    In the database rather than on a container's disk, so a prompt uploaded on one replica is served
    by all of them and a model activated anywhere can be loaded everywhere (``app.platform.shared``).
    """

    __tablename__ = "shared_files"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # "audio/<random>.wav", "nlu/models/<id>.pkl"
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(80), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
