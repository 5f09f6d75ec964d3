"""The conversation core: ``handle_inbound``, the one entry point every person's message reaches.

dedupe → contact (pseudonym) → open case → NLU → reply from the active
script → urgent? hand to routing → messages, outbox rows and events, all in
the caller's transaction. The caller (request or job boundary) commits.
``Conversation`` is the same core as the way in (``app.inbound.route``) sees it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.conversations import context, language, repository as repo, safety, whatsapp
from app.conversations.handoff import Handoff
from app.inbound.batch import HandleAlone
from app.inbound.route import Outcome
from app.outbox.service import enqueue
from app.platform import languages as registry
from app.platform.events import Event
from app.platform.identity import Vault
from app.platform.metrics import DUPLICATES, INBOUND, URGENT
from app.platform.models import Case, Contact, Message, utcnow
from app.platform.phone import country_of_phone, timezone_of
from app.privacy.service import erase_contact
from app.referrals.service import referral_message
from app.scripts.service import ScriptCatalog
from app.scripts.when import say_when
from app.understanding.gateway import Classifier
from app.understanding.reasons import FALLBACK, stored_reason
from bots.messages import Button, Channel, InboundMessage, OutboundMessage
from bots.sms_text import fit_sms

if TYPE_CHECKING:
    from nlu import Prediction

log = logging.getLogger("helpline.core")

# Channels whose reply goes back in the provider's own HTTP response, not the outbox.
SYNC_CHANNELS: frozenset[Channel] = frozenset({"voice", "cli"})
# Channels that show buttons (the terminal chat prints them as numbered choices).
BUTTON_CHANNELS: frozenset[Channel] = frozenset({"telegram", "webchat", "whatsapp", "cli"})
YES_WORDS = frozenset({"да", "da", "иә", "ия", "ие", "ha", "xa", "ҳа", "ха", "yes", "y", "1", "ok", "ок", "hа", "ооба", "бале"})
NO_WORDS = frozenset({"нет", "жоқ", "жок", "yo'q", "yoq", "йўқ", "не", "no", "n", "0"})
# Topics a short follow-up naming a place is read against (``_place_follow_up``); the safety question
# follows the model's ask_safety instead (``app.conversations.safety``).
SENSITIVE_INTENTS = frozenset(
    {"documents_taken", "unpaid_wages", "forced_labor", "sexual_exploitation", "forced_marriage", "missing_person",
     "return_home", "shelter_request", "medical_help"}
)  # fmt: skip
MENU_INTENTS = ("talk_to_human", "job_offer_check", "documents_taken", "unpaid_wages", "return_home", "emergency")
# Intents whose answer gains a list of places from the referral directory when the message names one.
REFERRAL_INTENTS = frozenset({"shelter_request", "legal_aid", "medical_help", "return_home", "migration_rules",
                              "out_of_scope"})  # fmt: skip


@dataclass
class CoreDeps:
    vault: Vault
    classifier: Classifier
    scripts: ScriptCatalog
    handoff: Handoff
    clock: Callable[[], datetime] = utcnow
    discreet: bool = False


class Conversation:
    """``app.inbound.route.Handler`` for people: the core with its dependencies bound.

    ``scripts`` swaps the catalogue for one call (the coordinators' preview of drafts).
    """

    def __init__(self, deps: CoreDeps) -> None:
        self.deps = deps

    async def handle(self, session: AsyncSession, inbound: InboundMessage, *,
                     scripts: ScriptCatalog | None = None) -> Outcome:  # fmt: skip
        deps = self.deps if scripts is None else replace(self.deps, scripts=scripts)
        return await handle_inbound(session, inbound, deps)


@dataclass
class _Turn:
    """Everything one inbound message needs while it is handled."""

    session: AsyncSession
    deps: CoreDeps
    inbound: InboundMessage
    contact: Contact
    case: Case
    now: datetime
    outcome: Outcome
    named_place: bool = False  # this message named where the person is (``context.note_place``)

    @property
    def variant(self) -> str:
        return {"sms": "sms", "voice": "voice"}.get(self.inbound.channel, "chat")

    def text(self, key: str, **values: str) -> str:
        if self.deps.discreet and key in ("welcome", "fallback"):
            key = f"discreet_{key}"
        values.setdefault("alias", self.case.alias)
        country = context.country_of(self.case, self.contact) or "default"
        return self.deps.scripts.get(key, self.language, self.variant, country=country, **values)

    @property
    def language(self) -> str | None:
        """The texts' language: the case's, in the script the person writes."""
        return language.reply_language(self.case.language, (self.contact.state or {}).get("script"))

    def label(self, name: str) -> str:
        return self.deps.scripts.label(name, self.language)

    def multilingual(self, key: str) -> str:
        """One line per language (ru, kk, uz, en): for a person whose language the bot cannot answer in."""
        lines = (self.deps.scripts.get(key, lang, self.variant) for lang in language.MULTILINGUAL)
        return "\n".join(dict.fromkeys(line for line in lines if line))

    def reply(self, key: str, buttons: tuple[tuple[Button, ...], ...] = (), **values: str) -> None:
        self.say(self.text(key, **values), buttons)

    def say(self, body: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        if not body:
            return
        if self.inbound.channel in ("sms", "whatsapp") and self.contact.stopped \
                and self.outcome.intent not in ("/stop", "/start"):  # fmt: skip
            return  # the person opted out: nothing more on this channel until START
        if self.inbound.channel == "sms":
            body = fit_sms(body, 2)
        message = Message(
            id=uuid.uuid4(), case_id=self.case.id, direction="out", sender="bot", channel=self.inbound.channel,
            created_at=self.now,
        )  # fmt: skip
        message.body_enc = self.deps.vault.encrypt(body, f"message:{message.id}")
        self.session.add(message)
        out = OutboundMessage(
            channel=self.inbound.channel, address=self.inbound.external_id, text=body,
            buttons=buttons if self.inbound.channel in BUTTON_CHANNELS else (),
            extra=_extra(self.inbound.channel, self.case.language),
        )  # fmt: skip
        if self.inbound.channel == "whatsapp":
            whatsapp.remember_options(self.contact, buttons)
        self.outcome.replies.append(out)
        if self.inbound.channel not in SYNC_CHANNELS:
            enqueue(self.session, self.deps.vault, out, case_id=self.case.id, message_id=message.id)


def _extra(channel: Channel, language: str | None) -> dict[str, str]:
    """The reply's language for the adapter: WhatsApp picks its template by it, the web chat page its chrome."""
    if channel == "whatsapp":
        return {"language": language or ""}
    return {"lang": language} if language else {}


async def handle_inbound(session: AsyncSession, inbound: InboundMessage, deps: CoreDeps) -> Outcome:
    """Handle one message from a person; idempotent per (channel, external message id)."""
    if await repo.message_exists(session, inbound.channel, inbound.external_message_id):
        DUPLICATES.labels(inbound.channel).inc()
        return Outcome(duplicate=True)
    INBOUND.labels(inbound.channel).inc()
    now = deps.clock()
    contact, is_new = await _contact(session, inbound, deps, now)
    inbound = await whatsapp.on_inbound(session, inbound, contact, now)
    case = None if is_new else await repo.open_case(session, contact.id)
    if case is None:
        case = Case(id=uuid.uuid4(), alias=repo.new_alias(), contact_id=contact.id, channel=inbound.channel,
                    language=contact.language, status="bot", urgent=False, created_at=now, updated_at=now)  # fmt: skip
        session.add(case)
        repo.remember_case(session, case)
    outcome = Outcome(case_id=case.id, case_alias=case.alias)
    turn = _Turn(session, deps, inbound, contact, case, now, outcome)
    message = _store_person_message(turn)

    if inbound.command:
        await _command(turn, inbound.command)
    elif inbound.attachments and not inbound.text.strip():
        await _attachments(turn, message)
    else:
        await _text(turn, message)
    case.updated_at = now
    outcome.language = case.language
    outcome.urgent = case.urgent
    log.info("inbound handled", extra={"case": case.alias, "channel": inbound.channel, "intent": outcome.intent})
    return outcome


async def _contact(session: AsyncSession, inbound: InboundMessage, deps: CoreDeps,
                   now: datetime) -> tuple[Contact, bool]:  # fmt: skip
    """The person's contact, found by pseudonym; True when it is new (so it has no case yet)."""
    pseudonym = deps.vault.pseudonym(inbound.channel, inbound.external_id)
    contact = await repo.contact_by_pseudonym(session, pseudonym)
    is_new = contact is None
    if contact is None:
        contact = Contact(id=uuid.uuid4(), channel=inbound.channel, pseudonym=pseudonym, first_seen=now, state={},
                          stopped=False)  # fmt: skip
        if inbound.channel in ("sms", "voice", "whatsapp"):
            contact.country = country_of_phone(inbound.external_id.removeprefix("whatsapp:"))
        session.add(contact)
        repo.remember_contact(session, contact)
    if contact.address_enc is None:
        contact.address_enc = deps.vault.encrypt(inbound.external_id, f"contact:{contact.id}:address")
    contact.last_seen = now
    return contact, is_new


def _store_person_message(turn: _Turn) -> Message:
    inbound = turn.inbound
    message = Message(
        id=uuid.uuid4(), case_id=turn.case.id, direction="in", sender="person", channel=inbound.channel,
        external_id=inbound.external_message_id, chat_ref=inbound.chat_message_id, created_at=turn.now,
    )  # fmt: skip
    body = inbound.text or (f"/{inbound.command}" if inbound.command else "")
    if body:
        message.body_enc = turn.deps.vault.encrypt(body, f"message:{message.id}")
    turn.session.add(message)
    return message


def _language_buttons(turn: _Turn) -> tuple[tuple[Button, ...], ...]:
    names = registry.names()
    return (tuple(Button(names.get(lang, lang), f"lang:{lang}") for lang in language.pickable()),)


def _menu_buttons(turn: _Turn) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(turn.label(f"menu_{intent}"), f"menu:{intent}"),) for intent in MENU_INTENTS)


async def _command(turn: _Turn, command: str) -> None:
    name, _, arg = command.partition(":")
    case, contact = turn.case, turn.contact
    turn.outcome.intent = f"/{name}"
    if name == "start":
        if turn.inbound.channel == "sms" or (turn.inbound.channel == "whatsapp" and contact.stopped):
            contact.stopped = False
            turn.reply("sms_started")
            return
        if language.answerable(turn.inbound.language_hint) and not case.language:
            case.language = turn.inbound.language_hint
        turn.reply("welcome")
        turn.reply("choose_language", _language_buttons(turn))
    elif name in ("language", "lang") and language.answerable(arg):
        case.language = contact.language = arg
        turn.reply("language_set")
    elif name == "language":
        turn.reply("choose_language", _language_buttons(turn))
    elif name == "help":
        turn.reply("help")
    elif name == "human":
        turn.outcome.events += await turn.deps.handoff.on_human_requested(turn.session, case, turn.now)
        turn.reply("talk_to_human")
    elif name == "menu" and arg:
        await _intent_reply(turn, arg, reasons=[], urgent=arg == "emergency")
    elif name == "erase" and arg in ("yes", "no"):
        await _erase_answer(turn, arg == "yes")
    elif name == "erase":
        _ask_erase(turn)
    elif name == "danger" and arg in ("yes", "no"):
        await _safety_answer(turn, "danger" if arg == "yes" else "safe", None)
    elif name == "safe":
        contact.state = {**contact.state, "safe": arg}
        turn.reply("help" if arg == "yes" else "erase_cancelled")
    elif name == "safeword" and arg.strip():
        contact.safe_word_fp = turn.deps.vault.fingerprint(_fold(arg))
        turn.reply("safe_word_set")
    elif name == "safeword":
        turn.reply("safe_word_how")
    elif name == "call":
        turn.outcome.intent = "call"  # a phone call began: the voice flow speaks, not the core
    elif name == "urgent_call":
        await _mark_urgent(turn, ["caller_request"])
    elif name == "stop":
        contact.stopped = True
        turn.reply("sms_stopped")
    elif name.startswith("digits"):
        await _text(turn, None)
    else:
        turn.reply("help")


def _ask_erase(turn: _Turn) -> None:
    turn.contact.state = {**turn.contact.state, "awaiting": "erase_confirm"}
    buttons = ((Button(turn.label("erase_yes"), "erase:yes"), Button(turn.label("erase_no"), "erase:no")),)
    turn.reply("delete_data", buttons)


async def _erase_answer(turn: _Turn, confirmed: bool) -> None:
    turn.contact.state = {k: v for k, v in turn.contact.state.items() if k != "awaiting"}
    if not confirmed:
        turn.reply("erase_cancelled")
        return
    if repo.batch_state(turn.session) is not None:
        raise HandleAlone  # erasure deletes and cancels rows: never in memory beside other people's turns
    done = turn.text("erase_done")
    if turn.inbound.channel == "whatsapp":  # WhatsApp cannot delete what is on the phone: say how
        done = f"{done}\n{turn.text('whatsapp_delete_chat')}"
    sync = turn.inbound.channel in SYNC_CHANNELS
    await erase_contact(turn.session, turn.deps.vault, turn.contact, turn.now, final_text="" if sync else done,
                        channel=turn.inbound.channel, address=turn.inbound.external_id,
                        partial_text=turn.text("erase_partial"))  # fmt: skip
    # After the erasure cancelled the case's pending sends, so the alerts' withdrawal goes out.
    turn.outcome.events += await turn.deps.handoff.on_erased(turn.session, turn.case, turn.now)
    if sync:
        turn.outcome.replies.append(OutboundMessage(channel=turn.inbound.channel, address=turn.inbound.external_id,
                                                    text=done))  # fmt: skip
    turn.outcome.intent = "delete_data"
    turn.outcome.events.append(Event("case.erased", {"case": turn.case.alias}))


async def _safe_word_said(turn: _Turn) -> None:
    """Someone may be reading over the person's shoulder: an ordinary reply, and a human alerted silently.

    ``silent_case`` keeps the on-call side's automatic lines to the person ("nobody is free",
    "a staff member joined") out of this case's chat.
    """
    turn.contact.state = {**turn.contact.state, "silent_case": turn.case.alias}
    await _mark_urgent(turn, ["safe_word"], silent=True)
    turn.reply("innocent_recipe")


async def _attachments(turn: _Turn, message: Message) -> None:
    for attachment in turn.inbound.attachments:
        if attachment.kind == "location" and attachment.latitude is not None:
            where = f"{attachment.latitude:.5f},{attachment.longitude:.5f}"
            turn.case.location_enc = turn.deps.vault.encrypt(where, f"case:{turn.case.id}:location")
            turn.outcome.events.append(Event("case.location", {"case": turn.case.alias}))
            turn.reply("location_received")
            return
        if attachment.kind == "recording" and attachment.ref:
            message.body_enc = turn.deps.vault.encrypt(f"voicemail: {attachment.ref}", f"message:{message.id}")
            await _mark_urgent(turn, ["voicemail"])
            return
    turn.outcome.intent = "attachment"
    turn.reply("attachment_info")


async def _text(turn: _Turn, message: Message | None) -> None:
    text = turn.inbound.text.strip()
    state = turn.contact.state or {}
    if state.get("awaiting") == "erase_confirm":
        word = _fold(text).split(" ")[0].strip(",.!")  # "да удалить", "иә, өшіріңіз": the first word answers
        if word in YES_WORDS or word in NO_WORDS:
            await _erase_answer(turn, word in YES_WORDS)
            return
    if turn.contact.safe_word_fp and turn.deps.vault.fingerprint(_fold(text)) == turn.contact.safe_word_fp:
        await _safe_word_said(turn)
        return
    named_place = turn.named_place = context.note_place(turn.case, text)
    prediction = await turn.deps.classifier.apredict(text)
    unsure = _update_language(turn, prediction, text)
    if message is not None:
        message.intent, message.confidence, message.urgent = prediction.intent, prediction.confidence, prediction.urgent
    if context.awaiting_place(turn.contact):
        context.stop_awaiting(turn.contact)
        if named_place and not prediction.urgent and turn.case.status != "assigned":
            turn.outcome.intent = prediction.intent
            turn.reply("place_noted")  # the answer to the bot's own question, with that country's numbers
            return
    awaited = safety.is_awaited(state, turn.case.id) and turn.case.status != "assigned"  # with a person, words go to them
    if not (awaited and await _safety_answer(turn, safety.read_answer(text), prediction)):
        await _answer(turn, message, prediction, text)
    if unsure and turn.case.language and not prediction.urgent and turn.inbound.channel in ("telegram", "webchat", "whatsapp"):
        turn.reply("choose_language", _language_buttons(turn))
    # Counted last, in the daily and the weekly rollup (anonymous: channel, language, intent, urgency).
    await repo.count_message(turn.session, turn.now.date(), turn.inbound.channel,
                             turn.case.language or language.UNDETERMINED, prediction.intent, prediction.urgent)  # fmt: skip


async def _answer(turn: _Turn, message: Message | None, prediction: Prediction, text: str) -> None:
    """Relay to the owner, or answer from the script (urgent first, then fallback, then intent)."""
    if message is not None and turn.case.status == "assigned":
        relayed, events = await turn.deps.handoff.on_person_message(turn.session, turn.case, message, text, turn.now)
        turn.outcome.events += events
        turn.outcome.intent = prediction.intent
        if prediction.urgent:
            await _mark_urgent(turn, list(prediction.urgent_reasons), silent=True)
        if relayed:
            return
    if turn.case.status == "waiting" and message is not None:
        _, events = await turn.deps.handoff.on_person_message(turn.session, turn.case, message, text, turn.now)
        turn.outcome.events += events
    if turn.case.language is None:
        await _unknown_language(turn, prediction)
    elif prediction.urgent:
        await _intent_reply(turn, prediction.intent, reasons=list(prediction.urgent_reasons) or [FALLBACK], urgent=True,
                            prediction=prediction)  # fmt: skip
    elif _job_offer(turn, prediction.intent) or (prediction.fallback and _wages(turn, prediction.intent, fallback=True)):
        return
    elif _place_follow_up(turn, prediction):
        await _referrals(turn, "out_of_scope")
    elif prediction.fallback:
        turn.outcome.intent = prediction.intent
        turn.reply("fallback", _menu_buttons(turn))
        _maybe_ask_safety(turn, prediction)
        await _referrals(turn, "out_of_scope")  # unsure what they want: a named place still gets an answer
    else:
        await _intent_reply(turn, prediction.intent, reasons=[], urgent=False, prediction=prediction)


def _job_offer(turn: _Turn, intent: str) -> bool:
    """The job-offer check that listens (``context.job_offer_reply``); True when it answered."""
    body = context.job_offer_reply(turn.case, turn.contact, turn.inbound.text, intent, turn.text) if turn.inbound.text else None
    if body is None:
        return False
    turn.outcome.intent = turn.case.last_intent = context.JOB_TOPIC
    turn.say(body)
    return True


def _wages(turn: _Turn, intent: str, *, fallback: bool = False) -> bool:
    """Unpaid wages that listens (``context.wages_reply``); True when it answered."""
    if not turn.inbound.text:
        return False
    body = context.wages_reply(turn.case, turn.contact, turn.inbound.text, intent, fallback, turn.text)
    if body is None:
        return False
    turn.outcome.intent = turn.case.last_intent = context.WAGES_TOPIC
    turn.say(body)
    return True


def _place_follow_up(turn: _Turn, prediction: Prediction) -> bool:
    """A short follow-up that names where the person is ("я в Москве, на стройке") after a topic of the case:
    taken in that context, not answered with a fallback or the topic's first text again."""
    topic = turn.case.last_intent
    if not turn.named_place or topic not in SENSITIVE_INTENTS:
        return False
    if not (prediction.fallback or prediction.intent == topic):
        return False
    turn.outcome.intent = topic
    turn.reply("topic_followup")
    return True


async def _urgent_reply(turn: _Turn, intent: str, reasons: list[str], *, about_other: bool = False) -> None:
    """One true thing about the team (someone is being alerted now, or nobody is on call and when), then where.

    A report about someone else is answered to the writer, as the victim's relative or friend.
    """
    reach = await turn.deps.handoff.reachable(turn.session, turn.case, turn.now)
    await _mark_urgent(turn, reasons)
    if about_other:
        turn.reply("third_party_urgent")  # promises no alert now: true whether or not someone is on call
    elif reach.someone_now:
        turn.reply("emergency" if intent == "emergency" else "urgent_ack")
    elif reach.back_at is not None:
        zone = timezone_of(context.country_of(turn.case, turn.contact), turn.case.language)
        turn.reply("urgent_no_one", when=say_when(reach.back_at, turn.now, zone, turn.case.language))
    else:
        turn.reply("urgent_no_one_later")
    if context.should_ask_place(turn.case, turn.contact) and turn.inbound.channel != "voice":
        context.asked_place(turn.case, turn.contact)
        turn.reply("ask_place")


async def _intent_reply(turn: _Turn, intent: str, *, reasons: list[str], urgent: bool,
                        prediction: Prediction | None = None) -> None:  # fmt: skip
    turn.outcome.intent = intent
    turn.case.last_intent = intent
    if intent == "delete_data":
        _ask_erase(turn)
        return
    about_other = prediction is not None and prediction.third_party
    if urgent:
        await _urgent_reply(turn, intent, reasons, about_other=about_other)
        return
    if not (intent == context.WAGES_TOPIC and _wages(turn, intent)):
        turn.reply(f"third_party_{intent}" if about_other and turn.deps.scripts.has(f"third_party_{intent}") else intent)
    if intent == "talk_to_human":
        turn.outcome.events += await turn.deps.handoff.on_human_requested(turn.session, turn.case, turn.now)
    elif prediction is not None:
        _maybe_ask_safety(turn, prediction)
    await _referrals(turn, intent)


def _maybe_ask_safety(turn: _Turn, prediction: Prediction) -> None:
    """The safety net (``app.conversations.safety``): one "are you in danger right now?" per case."""
    if turn.inbound.channel == "voice" or not safety.wants_question(prediction, turn.contact.state or {}, turn.case.id):
        return
    turn.contact.state = safety.asked(turn.contact.state or {}, turn.case.id, about_other=prediction.third_party)
    buttons = ((Button(turn.label("danger_yes"), "danger:yes"), Button(turn.label("danger_no"), "danger:no")),)
    turn.reply(safety.question_key(prediction), buttons)


async def _safety_answer(turn: _Turn, answer: safety.Answer | None, prediction: Prediction | None) -> bool:
    """The answer to the safety question (a button gives no prediction); False when it was something else."""
    state = turn.contact.state or {}
    turn.contact.state = safety.answered(state)
    if answer == "danger" or (prediction is not None and safety.escalates(answer, prediction)):
        reasons = ["danger_answer"] if answer == "danger" or prediction is None else list(prediction.urgent_reasons)
        turn.outcome.intent = turn.case.last_intent = "emergency"
        await _urgent_reply(turn, "urgent", reasons, about_other=safety.about_other(state))
        return True
    if answer == "safe":
        turn.outcome.intent = "safety_answer"
        turn.reply("danger_ok")
        return True
    return False


async def _unknown_language(turn: _Turn, prediction: Prediction) -> None:
    """A language the bot cannot answer in: one line in ru + kk + uz + en and the menu; urgency still counts."""
    turn.outcome.intent = prediction.intent
    if prediction.urgent:
        await _mark_urgent(turn, list(prediction.urgent_reasons))
        turn.say(turn.multilingual("urgent_unclear"))
    turn.say(turn.multilingual("language_unclear"), _language_buttons(turn))


async def _referrals(turn: _Turn, intent: str) -> None:
    """One extra message with shelters, lawyers, consulates in the city or country the person named."""
    if intent not in REFERRAL_INTENTS or not turn.inbound.text:
        return
    heading = turn.text("referrals_heading")
    turn.say(await referral_message(turn.session, turn.inbound.text, turn.case.language, heading,
                                    country=context.country_of(turn.case, turn.contact)))  # fmt: skip


async def _mark_urgent(turn: _Turn, reasons: list[str], *, silent: bool = False) -> None:
    case = turn.case
    first = not case.urgent
    case.urgent = True
    # Category codes only: the person's words never leave the encrypted message.
    case.urgent_reason = stored_reason([*(case.urgent_reason or "").split(","), *reasons])
    if first:
        URGENT.labels(case.channel).inc()
    if first or case.status == "bot":
        codes = case.urgent_reason.split(",")
        turn.outcome.events += await turn.deps.handoff.on_urgent(turn.session, case, codes, turn.now)
    log.warning("urgent case", extra={"case": case.alias, "event": "silent" if silent else "urgent"})


def _update_language(turn: _Turn, prediction: Prediction, text: str) -> bool:
    """Answer in the language and script the person writes (``app.conversations.language``).

    True when the first message left the language unclear: the caller then offers the choice.
    """
    case = turn.case
    case.language, unsure = language.choose(case.language, prediction, text, turn.inbound.language_hint)
    if case.language is not None:
        turn.contact.language = case.language
        script = language.script_of(text)
        if script and not language.shared_word(text) and (turn.contact.state or {}).get("script") != script:
            turn.contact.state = {**(turn.contact.state or {}), "script": script}
    return unsure


def _fold(text: str) -> str:
    return " ".join(text.lower().strip(" .!?,;:'\"").split())
