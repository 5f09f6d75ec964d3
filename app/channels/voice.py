"""The phone line: language menu, information, 0 for a person, operator dialling, voicemail.

Twilio waits for TwiML, so each step runs the core inside the request (one
transaction) and answers at once. The caller's number is never shown to an
operator: the hotline's number is the caller id, and operators must press 1
before a call is bridged, so a voicemail box can never take it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.channels.routes import twilio_form, twiml
from app.conversations.service import Conversation
from app.inbound.accept import REFUSALS
from app.inbound.route import Outcome
from app.oncall import alerts, service as ops
from app.oncall.escalations import OnCallDeps
from app.oncall.roster_store import load_roster
from app.platform import languages as registry
from app.platform.audit import audit
from app.platform.db import after_commit
from app.platform.deps import SessionDep, provided
from app.platform.errors import HelplineError
from app.platform.events import Event, EventBus
from app.platform.models import Case, Message, Operator
from app.platform.settings import Settings
from app.scripts.audiofile import signed_link
from app.scripts.service import ScriptCatalog
from bots.errors import InvalidRequest
from bots.messages import InboundMessage
from bots.twilio_voice import (
    Prompt,
    dial_operators,
    hangup,
    language_for_digit,
    language_menu,
    main_menu,
    operator_whisper,
    parse_call_status,
    parse_voice,
    say_or_play,
    voicemail,
    whisper_result,
)
from routing import on_call

log = logging.getLogger("helpline.voice")
router = APIRouter(prefix="/webhooks/twilio", tags=["voice"], responses=REFUSALS)
BASE = "/webhooks/twilio/voice"
MAX_MENU_LOOPS = 2


class PhoneLine:
    """What the phone line uses: the conversation core, on-call, the bot's texts, and the way to tell others.

    Each step runs inside the request's transaction (Twilio waits for TwiML);
    console events and the job loop's wake-up follow its commit.
    """

    def __init__(self, settings: Settings, scripts: ScriptCatalog, core: Conversation, oncall: OnCallDeps,
                 events: EventBus, wake: Callable[[], None]) -> None:  # fmt: skip
        self.settings = settings
        self.scripts = scripts
        self.core = core
        self.oncall = oncall
        self.events = events
        self.wake = wake

    def clock(self) -> datetime:
        return self.oncall.clock()

    def announce(self, session: AsyncSession, events: list[Event]) -> None:
        """After the request commits: consoles hear of it, and what it queued is sent at once."""
        after_commit(session, lambda: self.events.publish_all(events))
        after_commit(session, self.wake)


LineDep = Annotated[PhoneLine, Depends(provided("phone_line"))]


def _voice_of(lang: str | None) -> tuple[str, str]:
    """(language, Twilio voice): the first language on the caller's fallback chain Twilio can read aloud."""
    for code in registry.fallback_chain(lang):
        entry = registry.get(code)
        if entry is not None and entry.tts:
            return code, entry.tts
    return "ru", "ru-RU"


def _spoken(text: str, lang: str | None) -> Prompt:
    speak, voice = _voice_of(lang)
    return Prompt(text=text, language=speak, voice=voice)


def _prompt(line: PhoneLine, key: str, lang: str | None) -> Prompt:
    """An uploaded recording in the caller's language, else text-to-speech (Russian where the language has no voice)."""
    audio = line.scripts.get(f"audio.{key}", lang, "voice") if lang else ""
    if audio:
        secret = line.settings.secret_key.get_secret_value() if line.settings.secret_key else ""
        return Prompt(text="", language=lang or "ru", audio_url=signed_link(audio, secret, line.clock()))
    speak, _ = _voice_of(lang)
    return _spoken(line.scripts.get(key, speak, "voice"), lang)


def _menu(lang: str, prompts: list[Prompt], action_url: str) -> str:
    """The information menu, with speech input where Twilio recognises the caller's language."""
    entry = registry.get(lang)
    return main_menu(prompts, action_url, speech_language=entry.speech if entry else None)


def _url(line: PhoneLine, path: str) -> str:
    return line.settings.public_url.rstrip("/") + path


def _parse(form: dict[str, str], step: str | None = None) -> InboundMessage:
    try:
        return parse_voice(form, step)
    except InvalidRequest as exc:
        raise HelplineError(exc.message, status_code=exc.status) from exc


async def _core(line: PhoneLine, session: AsyncSession, inbound: InboundMessage) -> Outcome:
    outcome = await line.core.handle(session, inbound)
    line.announce(session, outcome.events)
    return outcome


@router.post("/voice", summary="Incoming call", response_class=Response)
async def incoming_call(request: Request, line: LineDep, session: SessionDep) -> Response:
    form = await twilio_form(request, line.settings)
    inbound = dataclasses.replace(_parse(form), command="call")
    await _core(line, session, inbound)
    prompts = [_prompt(line, "choose_language", lang) for lang in registry.voice_menu().values()]
    unique = list({(p.text, p.audio_url): p for p in prompts}.values())
    return twiml(language_menu(unique, _url(line, f"{BASE}/language")))


@router.post("/voice/language", summary="Language chosen", response_class=Response)
async def choose_language(request: Request, line: LineDep, session: SessionDep) -> Response:
    form = await twilio_form(request, line.settings)
    lang = language_for_digit(form.get("Digits"), registry.voice_menu()) or "ru"
    inbound = dataclasses.replace(_parse(form, "lang"), command=f"lang:{lang}")
    await _core(line, session, inbound)
    return twiml(_menu(lang, [_prompt(line, "voice_main_menu", lang)], _url(line, f"{BASE}/menu?lang={lang}&n=0")))


@router.post("/voice/menu", summary="Main menu answer", response_class=Response)
async def menu(request: Request, line: LineDep, session: SessionDep, lang: str = "ru", n: int = 0) -> Response:
    form = await twilio_form(request, line.settings)
    digits = (form.get("Digits") or "").strip()
    speech = (form.get("SpeechResult") or "").strip()
    again = _url(line, f"{BASE}/menu?lang={lang}&n={n + 1}")
    if digits == "0":
        outcome = await _core(line, session, dataclasses.replace(_parse(form, f"menu{n}"), command="urgent_call"))
        return twiml(await _connect(line, session, outcome, lang))
    if digits == "1":
        prompts = [_prompt(line, "voice_info", lang), _prompt(line, "voice_main_menu", lang)]
        return twiml(_menu(lang, prompts, again))
    if speech:
        outcome = await _core(line, session, dataclasses.replace(_parse(form, f"speech{n}"), command=None))
        if outcome.urgent:
            return twiml(await _connect(line, session, outcome, lang))
        said = [_spoken(r.text, lang) for r in outcome.replies if r.text]
        return twiml(_menu(lang, [*said, _prompt(line, "voice_main_menu", lang)], again))
    if n >= MAX_MENU_LOOPS:
        goodbye = _prompt(line, "voice_goodbye", lang)
        return twiml(_menu(lang, [goodbye], _url(line, f"{BASE}/menu?lang={lang}&n=99"))
                     if n < 99 else hangup())  # fmt: skip
    return twiml(_menu(lang, [_prompt(line, "voice_main_menu", lang)], again))


async def _connect(line: PhoneLine, session: AsyncSession, outcome: Outcome, lang: str) -> str:
    """Dial the operators on call now (hotline number shown), else go straight to voicemail."""
    numbers = await _on_call_numbers(line, session, lang)
    hotline = line.settings.twilio_phone_number or ""
    case = outcome.case_alias or ""
    if numbers and hotline:
        return dial_operators(numbers, hotline, _url(line, f"{BASE}/dial-result?case={case}&lang={lang}"),
                              _url(line, f"{BASE}/whisper?case={case}"))  # fmt: skip
    return voicemail(_prompt(line, "voice_voicemail", lang), _url(line, f"{BASE}/recording?lang={lang}"))


async def _on_call_numbers(line: PhoneLine, session: AsyncSession, lang: str) -> list[str]:
    now = line.clock()
    roster = await load_roster(session)
    logins = [login for s in roster.schedules for login in on_call(s, now)]
    ops_ = (await session.scalars(select(Operator).where(Operator.login.in_(logins), Operator.active.is_(True)))).all()
    # Those who speak the caller's language, else its fallback's (Russian), else anyone on call.
    speakers = next(([o for o in ops_ if code in (o.languages or [])] for code in registry.fallback_chain(lang)
                     if any(code in (o.languages or []) for o in ops_)), list(ops_))  # fmt: skip
    return [line.oncall.vault.decrypt(o.phone_enc, f"operator:{o.id}:phone") for o in speakers if o.phone_enc]


@router.post("/voice/dial-result", summary="Result of dialling operators", response_class=Response)
async def dial_result(request: Request, line: LineDep, session: SessionDep, case: str = "", lang: str = "ru") -> Response:
    form = await twilio_form(request, line.settings)
    if (form.get("DialCallStatus") or "") == "completed":
        return twiml(hangup())
    return twiml(voicemail(_prompt(line, "voice_voicemail", lang), _url(line, f"{BASE}/recording?lang={lang}")))


@router.post("/voice/whisper", summary="Played to an operator before bridging", response_class=Response)
async def whisper(request: Request, line: LineDep, session: SessionDep, case: str = "") -> Response:
    await twilio_form(request, line.settings)
    prompt = Prompt(text=alerts.text("voice_alert", "ru"), language="ru")
    return twiml(operator_whisper(prompt, _url(line, f"{BASE}/whisper-result?case={case}")))


@router.post("/voice/whisper-result", summary="Operator accepted or declined", response_class=Response)
async def whisper_answer(request: Request, line: LineDep, session: SessionDep, case: str = "") -> Response:
    form = await twilio_form(request, line.settings)
    digits = form.get("Digits")
    if (digits or "").strip() == "1" and case:
        await _take_by_phone(line, session, case, form.get("To") or form.get("Called") or "")
    return twiml(whisper_result(digits))


@router.post("/voice/recording", summary="Voicemail recorded", response_class=Response)
async def recording(request: Request, line: LineDep, session: SessionDep, lang: str = "ru") -> Response:
    form = await twilio_form(request, line.settings)
    await _core(line, session, _parse(form, "rec"))
    response = _menu(lang, [_prompt(line, "voice_goodbye", lang)], _url(line, f"{BASE}/menu?lang={lang}&n=99"))
    return twiml(response)


@router.post("/voice/alert", summary="Alert call to an operator: press 1 to take", response_class=Response)
async def alert_call(request: Request, line: LineDep, session: SessionDep, case: str = "", fence: int | None = None) -> Response:
    await twilio_form(request, line.settings)
    prompt = Prompt(text=alerts.text("voice_alert", "ru"), language="ru")
    action = f"{BASE}/alert/answer?case={case}" + (f"&fence={fence}" if fence is not None else "")
    return twiml(operator_whisper(prompt, _url(line, action)))


@router.post("/voice/alert/answer", summary="Operator pressed a key on an alert call", response_class=Response)
async def alert_answer(request: Request, line: LineDep, session: SessionDep, case: str = "", fence: int | None = None) -> Response:
    form = await twilio_form(request, line.settings)
    if (form.get("Digits") or "").strip() != "1" or not case:
        return twiml(hangup())
    ok = await _take_by_phone(line, session, case, form.get("To") or form.get("Called") or "", fence)
    key = "you_took" if ok else "already_taken"
    prompt = Prompt(text=alerts.text(key, "ru", case=case), language="ru")
    return twiml(say_or_play(prompt))


async def _take_by_phone(line: PhoneLine, session: AsyncSession, case: str, phone: str,
                         fence: int | None = None) -> bool:  # fmt: skip
    pseudonym = line.oncall.vault.pseudonym("sms", phone)
    operator = await session.scalar(select(Operator).where(Operator.phone_pseudonym == pseudonym))
    if operator is None:
        return False
    result = await ops.take_case(session, line.oncall, case, operator, fence)
    line.announce(session, result.events)
    return result.ok


@router.post("/call-status", summary="Call status callback", response_class=Response)
async def call_status(request: Request, line: LineDep, session: SessionDep) -> Response:
    form = await twilio_form(request, line.settings)
    try:
        status = parse_call_status(form)
    except InvalidRequest as exc:
        raise HelplineError(exc.message, status_code=exc.status) from exc
    message = await session.scalar(select(Message).where(Message.external_id == f"call:{status.call_sid}"))
    if message is not None:
        case = await session.get(Case, message.case_id)
        audit(session, "twilio", f"call.{status.status}", case.alias if case else None, duration=status.duration or 0)
    return Response(status_code=204)
