"""Scripted dialogues (``dialogues/<set>.yml``, format in the module docstring of test_dialogues) played
through the real core, and the checks that turn their semantic expectations into assertions on what the
person reads.

The checks read only the replies (every bot message the turn added, decrypted) and the case's state,
never the NLU's labels: "names the flag" means the flag's plain-words line is in the reply, "asks where"
means a question about country or city is, "numbers of RU" means Russia's numbers line is.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.platform.models import Case, Contact, Message
from app.scripts.service import ScriptCatalog
from bots.messages import InboundMessage

DIALOGUES = Path(__file__).parent / "dialogues"
KNOWN_FAILURES = Path(__file__).parent / "known_failures.yml"
# A roster where the one coordinator (all languages) is on call 09:00-18:00 Almaty every day.
ROSTER = """\
operators:
  - {login: aigerim, name: Aigerim, role: operator, languages: [kk, ru], telegram_chat_id: 5550001}
  - {login: dilnoza, name: Dilnoza, role: operator, languages: [uz, ru], telegram_chat_id: 5550002}
  - {login: coord, name: Coordinator, role: coordinator, languages: [ru, kk, uz], telegram_chat_id: 5550009}
schedules:
  - name: day
    timezone: Asia/Almaty
    layers:
      - rotation: daily
        handoff: "09:00"
        start: "2026-01-01"
        members: [coord]
        restrict: {from: "09:00", to: "18:00"}
escalation_policies:
  - name: urgent
    default: true
    steps:
      - {notify: {schedule: day}, via: [telegram, console], wait_seconds: 60}
"""
ON_CALL_TIME = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 11:00 in Almaty: on call
NOBODY_TIME = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 21:00 in Almaty: back tomorrow at 9:00

SCRIPT_LETTERS = {"cyrl": re.compile(r"[а-яёәғқңөұүһіўҳ]", re.I), "latn": re.compile(r"[a-z]", re.I)}
# Questions about present safety, per language of the reply (both Uzbek scripts).
SAFETY_QUESTION = re.compile(
    r"(безопасн|опасн|қауіпсіз|қауіп|xavfsiz|xavf|хавфсиз|хавф)[^.?!]*\?", re.I)  # fmt: skip
WHERE_QUESTION = re.compile(
    r"(в какой (вы )?стране|какой стране|где вы|в каком городе|қай елде|қай елге|қайда|қай қала|qaysi davlat|"
    r"qayerda|qaysi shahar|қайси давлат|қаерда|қайси шаҳар|which country|where are you)", re.I)  # fmt: skip
# Claims that a staff member is being told now.
OPERATOR_TOLD = re.compile(
    r"(сообщаем сотрудник|подключаем сотрудник|ищем для вас сотрудника|хабар беріп жатырмыз|хабарлап жатырмыз|"
    r"іздеп жатырмыз|xabar beryapmiz|ulayapmiz|xodim qidiryapmiz|хабар беряпмиз|улаяпмиз|қидиряпмиз|"
    r"telling a staff member|we are alerting)", re.I)  # fmt: skip
FLAG_QUESTIONS = {"passport": "job_ask_passport", "fee": "job_ask_fee", "no_contract": "job_ask_contract"}


@dataclass
class Dialogue:
    set: str
    id: str
    note: str
    channel: str
    on_call: bool
    phone: str | None
    turns: list[dict[str, Any]]


@dataclass
class TurnResult:
    say: str
    replies: list[str]
    language: str | None
    urgent: bool
    erased: bool
    problems: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.replies)


def load_dialogues() -> list[Dialogue]:
    found: list[Dialogue] = []
    for path in sorted(DIALOGUES.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append(Dialogue(set=path.stem, id=str(item["id"]), note=str(item.get("note", "")),
                                  channel=str(item.get("channel") or "core"), on_call=bool(item.get("on_call", True)),
                                  phone=item.get("phone"), turns=list(item.get("turns") or [])))  # fmt: skip
    return found


def known_failures() -> dict[str, str]:
    if not KNOWN_FAILURES.exists():
        return {}
    return {str(k): str(v) for k, v in (yaml.safe_load(KNOWN_FAILURES.read_text(encoding="utf-8")) or {}).items()}


def inbound(dialogue: Dialogue, text: str, n: int, address: str) -> InboundMessage:
    """What the channel's adapter would hand the core: "/erase" is a command, anything else text."""
    channel = "cli" if dialogue.channel == "core" else dialogue.channel
    command = None
    if text.startswith("/") and len(text) > 1:
        command = text[1:].split(maxsplit=1)[0].lower()
        text = ""
    return InboundMessage(channel=channel, external_id=address, external_message_id=f"{dialogue.id}:{n}:{uuid.uuid4().hex}",
                          text=text, command=command)  # type: ignore[arg-type]  # fmt: skip


def address_of(dialogue: Dialogue) -> str:
    if dialogue.channel == "sms":
        return dialogue.phone or "+15550000000"
    return f"{dialogue.id}-{uuid.uuid4().hex[:8]}"


async def bot_messages(session: Any, vault: Any, case_id: uuid.UUID | None) -> dict[uuid.UUID, str]:
    if case_id is None:
        return {}
    rows = (await session.scalars(select(Message).where(Message.case_id == case_id, Message.sender == "bot"))).all()
    return {m.id: vault.decrypt(m.body_enc, f"message:{m.id}") for m in rows if m.body_enc}


async def case_state(session: Any, case_id: uuid.UUID | None) -> tuple[bool, bool]:
    """(urgent, erased) of the case after the turn."""
    case = await session.get(Case, case_id) if case_id else None
    if case is None:
        return False, True
    contact = await session.get(Contact, case.contact_id) if case.contact_id else None
    return bool(case.urgent), bool(case.erased or contact is None)


def script_of(text: str) -> str:
    cyrl, latn = (len(p.findall(re.sub(r"/\w+|Dubai Foundation|START|\{\w+\}", "", text))) for p in
                  (SCRIPT_LETTERS["cyrl"], SCRIPT_LETTERS["latn"]))  # fmt: skip
    return "cyrl" if cyrl >= latn else "latn"


def check(result: TurnResult, expect: dict[str, Any], scripts: ScriptCatalog, variant: str) -> list[str]:
    """Every expectation of one turn, plus the rules every reply keeps (no brackets, no UTC, no raw placeholder)."""
    problems: list[str] = []
    text = result.text
    lang = expect.get("language") or result.language
    if "[" in text or "]" in text:
        problems.append("a reply holds a bracket")
    if "UTC" in text or re.search(r"\{\w+\}", text):
        problems.append("a reply holds a UTC timestamp or an unfilled placeholder")
    if "language" in expect and expect["language"] != result.language:
        problems.append(f"language {result.language}, expected {expect['language']}")
    if expect.get("script") and text and script_of(text) != expect["script"]:
        problems.append(f"script {script_of(text)}, expected {expect['script']}")
    if "urgent" in expect and bool(expect["urgent"]) != result.urgent:
        problems.append(f"urgent is {result.urgent}, expected {expect['urgent']}")
    if "asks_safety" in expect and bool(expect["asks_safety"]) != bool(SAFETY_QUESTION.search(text)):
        problems.append(f"asks_safety expected {expect['asks_safety']}")
    if "asks_where" in expect and bool(expect["asks_where"]) != bool(WHERE_QUESTION.search(text)):
        problems.append(f"asks_where expected {expect['asks_where']}")
    if expect.get("numbers_of"):
        numbers = scripts.numbers(expect["numbers_of"], lang)
        if numbers not in text:
            problems.append(f"no numbers of {expect['numbers_of']} ({numbers!r})")
    for flag in expect.get("flags_named") or ():
        if scripts.get(f"job_flag_{flag}", lang, variant) not in text:
            problems.append(f"flag {flag} not named")
    for flag in expect.get("not_asking") or ():
        question = FLAG_QUESTIONS.get(flag)
        if question and scripts.get(question, lang, variant) in text:
            problems.append(f"asks again about {flag}")
        if scripts.get("job_offer_check", lang, variant) in text:
            problems.append(f"the fixed job-offer questionnaire again (asks about {flag})")
    if expect.get("must_not_say_operator_told") and OPERATOR_TOLD.search(text):
        problems.append("says a staff member is being told while nobody is on call")
    if "erased" in expect and bool(expect["erased"]) != result.erased:
        problems.append(f"erased is {result.erased}, expected {expect['erased']}")
    return problems
