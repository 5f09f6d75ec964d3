"""What a case remembers across turns, as codes only: where the person is, the job offer's red flags,
and what the bot last asked. Never the person's words (those stay in the encrypted messages).

``case.country`` is the ISO code of the place the person named; ``case.context`` holds
``{"city": "moscow", "flags": ["fee", ...], "asked": ["contract", ...], "topic": "job_offer_check",
"place_asked": true}``. ``contact.state["awaiting"] = "place"`` while the bot waits for an answer
to "where are you?" (the same convention as the other questions the bot asks).
"""

from __future__ import annotations

from collections.abc import Callable

from app.conversations.flags import find_flags, open_questions, wage_facts
from app.conversations.place import find_place
from app.platform.models import Case, Contact

JOB_TOPIC = "job_offer_check"
WAGES_TOPIC = "unpaid_wages"
WAGE_QUESTIONS = ("country", "months", "contract")
# Intents whose own reply already answers the situation: a flag word in them is not a job-offer check.
OWN_SITUATION = frozenset({"documents_taken", "unpaid_wages", "forced_labor", "sexual_exploitation", "forced_marriage",
                           "missing_person", "medical_help", "emergency", "delete_data"})  # fmt: skip


def _ctx(case: Case) -> dict:
    return dict(case.context or {})


def country_of(case: Case, contact: Contact) -> str | None:
    """Where the person said they are, else what their phone number says, else unknown."""
    return case.country or contact.country


def note_place(case: Case, text: str) -> bool:
    """Remember a place named in ``text`` (a newer one replaces an older one); True when one was named."""
    place = find_place(text)
    if place is None:
        return False
    case.country = place.country
    ctx = _ctx(case)
    ctx["city"] = place.city
    case.context = ctx
    return True


def should_ask_place(case: Case, contact: Contact) -> bool:
    """Ask once, and only while nothing says where the person is."""
    return country_of(case, contact) is None and not _ctx(case).get("place_asked")


def asked_place(case: Case, contact: Contact) -> None:
    ctx = _ctx(case)
    ctx["place_asked"] = True
    case.context = ctx
    contact.state = {**(contact.state or {}), "awaiting": "place"}


def awaiting_place(contact: Contact) -> bool:
    return (contact.state or {}).get("awaiting") == "place"


def stop_awaiting(contact: Contact) -> None:
    contact.state = {k: v for k, v in (contact.state or {}).items() if k != "awaiting"}


def job_offer_reply(case: Case, contact: Contact, text: str, intent: str,
                    say: Callable[[str], str]) -> str | None:  # fmt: skip
    """The job-offer check that listens: names the flags just told, asks only what is still unknown.

    None when the message is not about a job offer (the intent's own reply is the answer).
    ``say(key)`` is the script text in the person's language.
    """
    ctx = _ctx(case)
    known: list[str] = list(ctx.get("flags") or [])
    found = find_flags(text)
    new = [f for f in found if f not in known]
    on_topic = intent == JOB_TOPIC or ctx.get("topic") == JOB_TOPIC
    if intent in OWN_SITUATION and ctx.get("topic") != JOB_TOPIC:
        return None
    if not (on_topic and (new or intent == JOB_TOPIC)) and len(new) < 2:
        return None
    known += new
    asked: list[str] = list(ctx.get("asked") or [])
    questions = [q for q in open_questions(known, country_known=country_of(case, contact) is not None) if q not in asked]
    ctx.update(flags=known, asked=asked + questions, topic=JOB_TOPIC)
    case.context = ctx
    return _compose(say, new, questions)


def _compose(say: Callable[[str], str], flags: list[str], questions: list[str]) -> str:
    parts: list[str] = []
    if flags:
        parts.append(say("job_flags_intro"))
        parts += [f"• {say(f'job_flag_{flag}')}" for flag in flags]
    if questions:
        parts.append(say("job_flags_ask"))
        parts += [f"• {say(f'job_ask_{q}')}" for q in questions]
    parts.append(say("job_flags_offer"))
    return "\n".join(p for p in parts if p)


def wages_reply(case: Case, contact: Contact, text: str, intent: str, fallback: bool,
                say: Callable[[str], str]) -> str | None:  # fmt: skip
    """Unpaid wages, listening: asks only what is still unknown (country, months, contract), never twice.

    None when the message is not about unpaid wages, or is not a follow-up that adds to them.
    """
    ctx = _ctx(case)
    on_topic = ctx.get("topic") == WAGES_TOPIC
    follow_up = on_topic and (fallback or intent == WAGES_TOPIC)
    if intent != WAGES_TOPIC and not follow_up:
        return None
    known = set(ctx.get("wages") or []) | set(wage_facts(text))
    if country_of(case, contact) is not None:
        known.add("country")
    new = known - set(ctx.get("wages") or [])
    if intent != WAGES_TOPIC and not new:
        return None
    asked: list[str] = list(ctx.get("asked") or [])
    questions = [q for q in WAGE_QUESTIONS if q not in known and f"wages_{q}" not in asked]
    ctx.update(wages=sorted(known), asked=asked + [f"wages_{q}" for q in questions], topic=WAGES_TOPIC)
    case.context = ctx
    if not questions:
        return say("wages_thanks")
    first = [] if on_topic else [say("wages_intro")]
    return "\n".join([*first, say("wages_ask"), *(f"• {say(f'wages_ask_{q}')}" for q in questions), say("wages_offer")])
