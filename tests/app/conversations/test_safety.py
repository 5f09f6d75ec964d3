"""The safety net: one "are you in danger right now?" where the model is unsure, and reports about others."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.conversations.safety import read_answer
from app.platform.db import session_scope
from app.platform.models import Case, Contact
from tests.app.conversations.test_service import person, say


def _buttons(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.data for reply in outcome.replies for row in reply.buttons for b in row]


def _texts(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [reply.text for reply in outcome.replies]


async def _case(services) -> Case:  # type: ignore[no-untyped-def]
    async with services.sessionmaker() as session:
        return await session.scalar(select(Case))


async def test_passport_taken_with_nothing_about_safety_gets_one_danger_question(services) -> None:
    outcome = await say(services, person("у меня забрали паспорт"))
    assert not outcome.urgent
    assert services.scripts.get("danger_check", "ru") in _texts(outcome)
    assert {"danger:yes", "danger:no"} <= set(_buttons(outcome))
    async with services.sessionmaker() as session:
        assert (await session.scalar(select(Contact))).state["awaiting"] == "safety"


@pytest.mark.parametrize(
    ("first", "answer"),
    [
        ("у меня забрали паспорт", "да"),
        ("у меня забрали паспорт", "ага"),
        ("у меня забрали паспорт", "yes"),
        ("Жұмыс берушім паспортымды алып қойды", "иә"),
        ("Ish beruvchi pasportimni olib qo'ydi", "ha"),
    ],
)
async def test_yes_to_the_danger_question_escalates_at_once(services, first: str, answer: str) -> None:
    asked = await say(services, person(first))
    assert any(t == services.scripts.get("danger_check", asked.language) for t in _texts(asked))
    outcome = await say(services, person(answer))
    assert outcome.urgent
    assert any(e.name == "case.waiting" and e.data["urgent"] for e in outcome.events)
    case = await _case(services)
    assert case.status == "waiting" and case.urgent_reason == "danger_answer"


async def test_the_danger_button_escalates_like_a_typed_yes(services) -> None:
    await say(services, person("меня заставляют работать без выходных и не отпускают"))
    outcome = await say(services, person(command="danger:yes"))
    assert outcome.urgent


async def test_no_continues_the_conversation_without_an_alarm(services) -> None:
    await say(services, person("у меня забрали паспорт"))
    outcome = await say(services, person("нет"))
    assert not outcome.urgent
    assert _texts(outcome) == [services.scripts.get("danger_ok", "ru")]
    assert (await _case(services)).status == "bot"


@pytest.mark.parametrize(
    ("first", "answer"),
    [
        ("Жұмыс берушім паспортымды алып қойды", "иә, қазір сөйлесе аламын"),
        ("Менинг паспортимни олиб қўйишди", "ҳа, ҳозир гаплаша оламан"),
        ("Ish beruvchi pasportimni olib qo'ydi", "ha, hozir gaplasha olaman"),
        ("у меня забрали паспорт", "да, сейчас могу говорить"),
    ],
)
async def test_yes_i_can_talk_now_is_the_answer_not_a_request_for_a_person(services, first: str, answer: str) -> None:
    await say(services, person(first))
    outcome = await say(services, person(answer))
    assert not outcome.urgent and outcome.intent == "safety_answer"
    case = await _case(services)
    assert case.status == "bot" and not case.urgent


async def test_an_answer_the_model_reads_as_urgent_escalates(services) -> None:
    await say(services, person("у меня забрали паспорт"))
    outcome = await say(services, person("меня заперли в комнате и не выпускают"))
    assert outcome.urgent
    assert (await _case(services)).urgent_reason == "confinement"


async def test_the_question_is_asked_once_per_case(services) -> None:
    await say(services, person("у меня забрали паспорт"))
    await say(services, person("нет"))
    again = await say(services, person("работодатель забрал мой паспорт и не отдаёт"))
    assert services.scripts.get("danger_check", "ru") not in _texts(again)


async def test_a_report_about_a_relative_is_urgent_and_answered_to_the_relative(services) -> None:
    outcome = await say(services, person("мою сестру заперли в Стамбуле"))
    assert outcome.urgent
    assert _texts(outcome)[0] == services.scripts.get("third_party_urgent", "ru", country="TR")  # Istanbul
    assert "близк" in _texts(outcome)[0]


async def test_a_relative_s_passport_gets_the_relative_s_reply_and_a_question_about_them(services) -> None:
    outcome = await say(services, person("моя дочь работает в Дубае, у неё забрали паспорт"))
    assert not outcome.urgent
    texts = _texts(outcome)
    assert texts[0] == services.scripts.get("third_party_documents_taken", "ru")
    assert services.scripts.get("danger_check_other", "ru") in texts
    yes = await say(services, person("да"))
    assert yes.urgent and _texts(yes)[0] == services.scripts.get("third_party_urgent", "ru", country="AE")  # Dubai


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("меня никто не запирал", False),
        ("если меня запрут, что мне делать", False),
        ("вчера меня заперли и я до сих пор внутри", True),
        ("nobody locked me in", False),
        ("if they lock me in", False),
        ("they locked me in yesterday and I am still inside", True),
    ],
)
async def test_past_denied_and_hypothetical_danger_is_not_an_alarm_but_present_danger_is(services, text: str,
                                                                                          urgent: bool) -> None:  # fmt: skip
    outcome = await say(services, person(text))
    assert outcome.urgent is urgent
    assert (await _case(services)).status == ("waiting" if urgent else "bot")


@pytest.mark.parametrize(
    ("text", "answer"),
    [("да", "danger"), ("Иә", "danger"), ("ha!", "danger"), ("нет", "safe"), ("yo‘q", "safe"), ("жоқ", "safe"),
     ("yes, I can talk now", "safe"), ("да, опасно", "danger"), ("всё нормально", "safe"), ("а что?", None),
     ("где мне найти работу в Москве на стройке без патента", None)],
)  # fmt: skip
def test_short_answers_are_read_in_every_language(text: str, answer: str | None) -> None:
    assert read_answer(text) == answer


async def test_a_question_left_open_in_a_closed_case_is_not_read_as_an_answer_later(services) -> None:
    await say(services, person("у меня забрали паспорт"))
    async with session_scope(services.sessionmaker) as session:
        (await session.scalar(select(Case))).status = "closed"
    later = await say(services, person("да"))
    assert not later.urgent and later.intent != "safety_answer"


def test_the_safety_texts_exist_in_every_seeded_language_and_hold_no_brackets() -> None:
    from app.scripts.service import load_seed

    entries = load_seed()
    languages = {e.language for e in entries}
    keys = ["danger_check", "danger_check_other", "danger_ok", "third_party_urgent", "label.danger_yes", "label.danger_no",
            *(f"third_party_{i}" for i in ("documents_taken", "forced_labor", "sexual_exploitation", "forced_marriage",
                                           "unpaid_wages", "medical_help"))]  # fmt: skip
    for key in keys:
        texts = {e.language: e.text for e in entries if e.key == key and e.variant == "chat"}
        assert set(texts) == languages, key
        assert not [t for t in texts.values() if "[" in t or "]" in t], key
