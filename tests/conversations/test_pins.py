"""What a person reads, pinned: no brackets, the country's numbers where they are, one honest state of the team,
a job-offer check that listens, and a case that remembers (as codes only) what was said."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from app.platform.db import session_scope
from app.platform.models import Case, Operator
from tests.conversations.runner import OPERATOR_TOLD, WHERE_QUESTION, Dialogue, TurnResult
from tests.conversations.test_dialogues import play


async def chat(world: Any, *says: str, channel: str = "telegram", on_call: bool = True,
               phone: str | None = None) -> list[TurnResult]:  # fmt: skip
    dialogue = Dialogue("pins", f"pin-{len(says)}", "", channel, on_call, phone, [{"say": s} for s in says])
    return await play(world, dialogue)


async def test_no_reply_holds_a_bracket_on_a_fresh_install(world) -> None:  # type: ignore[no-untyped-def]
    says = ("Здравствуйте", "меня заперли в подвале помогите", "работа в Корее, просят 500$ за визу", "/start",
            "Сәлем, паспортымды алып қойды", "Salom, ish haqimni bermayapti", "Dubayda meni qamab qo'yishdi")
    for result in await chat(world, *says):
        assert result.replies and "[" not in result.text and "]" not in result.text, result.text
    for key, text in world.scripts.texts.items():
        assert "[" not in text, key


async def test_a_named_city_brings_that_countrys_numbers_in_the_persons_language(world) -> None:  # type: ignore[no-untyped-def]
    cases = {
        ("ru", "RU"): "я в Москве, меня заперли и бьют, помогите",
        ("kk", "TR"): "Мен Стамбулдамын, мені бөлмеге қамап қойды, көмектесіңіздер",
        ("uz", "AE"): "Men Dubaydaman, meni xonaga qamab qo'yishdi, yordam bering",
        ("uz", "KR"): "Men Seulda ishlayman, xo'jayin meni qamab qo'ydi, yordam bering",
    }
    for (lang, country), say in cases.items():
        [result] = await chat(world, say)
        assert result.urgent and result.language == lang, result
        assert world.scripts.numbers(country, lang) in result.text, (country, result.text)
        assert not WHERE_QUESTION.search(result.text), "the place is known: no need to ask"


async def test_unknown_place_brings_the_universal_line_and_one_short_question(world) -> None:  # type: ignore[no-untyped-def]
    first, second = await chat(world, "меня заперли помогите срочно", "меня бьют, помогите")
    assert world.scripts.numbers("default", "ru") in first.text and WHERE_QUESTION.search(first.text)
    assert not WHERE_QUESTION.search(second.text), "asked once"


async def test_the_answer_to_where_is_taken_as_that_answer_and_remembered(world) -> None:  # type: ignore[no-untyped-def]
    _, answer, later = await chat(world, "меня заперли помогите срочно", "Стамбул", "он опять бьёт меня")
    assert world.scripts.numbers("TR", "ru") in answer.text
    assert world.scripts.numbers("TR", "ru") in later.text
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.country == "TR" and case.context["city"] == "istanbul"


async def test_sms_number_prefix_gives_the_country_when_no_place_is_named(world) -> None:  # type: ignore[no-untyped-def]
    [result] = await chat(world, "меня заперли помогите срочно", channel="sms", phone="+821012345678")
    assert world.scripts.numbers("KR", "ru") in result.text


async def test_with_nobody_on_call_the_urgent_reply_never_says_an_operator_is_told(world) -> None:  # type: ignore[no-untyped-def]
    [result] = await chat(world, "я в Москве, меня заперли и бьют, помогите", on_call=False)
    assert result.urgent
    assert not OPERATOR_TOLD.search(result.text), result.text
    # 09:00 in Almaty is 07:00 in Moscow, said in words and in Moscow's time, not as a UTC timestamp.
    assert "завтра в 7:00" in result.text and "UTC" not in result.text


async def test_with_someone_on_call_the_urgent_reply_says_they_are_alerted(world) -> None:  # type: ignore[no-untyped-def]
    [result] = await chat(world, "я в Москве, меня заперли и бьют, помогите", on_call=True)
    assert OPERATOR_TOLD.search(result.text), result.text


async def test_an_operator_available_in_the_console_counts_as_reachable(world) -> None:  # type: ignore[no-untyped-def]
    async with session_scope(world.sessionmaker) as session:
        await session.execute(update(Operator).where(Operator.login == "aigerim").values(available=True))
    dialogue = Dialogue("pins", "pin-console", "", "telegram", True, None, [{"say": "я в Москве, меня заперли, помогите"}])
    world.test_clock.now = world.test_clock.now.replace(hour=16)  # nobody on call by the roster
    [result] = await play(world, dialogue, keep_clock=True)
    assert OPERATOR_TOLD.search(result.text) and "завтра" not in result.text, result.text


async def test_a_job_offer_naming_three_flags_gets_those_three_named_and_not_asked(world) -> None:  # type: ignore[no-untyped-def]
    say = "Агент в инстаграме предлагает работу в Корее, просит сначала заплатить 700$ за визу и отдать ему паспорт"
    [result] = await chat(world, say)
    for flag in ("social_media_recruiter", "fee", "passport"):
        assert world.scripts.get(f"job_flag_{flag}", "ru") in result.text, flag
    for question in ("job_ask_fee", "job_ask_passport", "job_ask_country"):
        assert world.scripts.get(question, "ru") not in result.text, question
    assert world.scripts.get("job_ask_contract", "ru") in result.text, "what is still unknown is asked"


async def test_a_job_offer_told_over_turns_is_never_asked_again(world) -> None:  # type: ignore[no-untyped-def]
    first, second, third = await chat(world, "хочу проверить вакансию в Дубае", "договора нет, сказали на месте",
                                      "ещё просят 300 долларов за билет")  # fmt: skip
    assert world.scripts.get("job_ask_contract", "ru") in first.text
    assert world.scripts.get("job_flag_no_contract", "ru") in second.text
    assert world.scripts.get("job_ask_contract", "ru") not in second.text + third.text
    assert world.scripts.get("job_flag_fee", "ru") in third.text
    assert len({first.text, second.text, third.text}) == 3, "never the identical text twice"
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert set(case.context["flags"]) == {"no_contract", "fee"}
    assert "договор" not in str(case.context) and "билет" not in str(case.context), "codes only"


async def test_a_place_told_after_a_topic_is_read_in_that_context(world) -> None:  # type: ignore[no-untyped-def]
    # (The classifier reads "ya v Moskve, na stroike" alone as urgent today; the Kazakh follow-up shows the context.)
    first, follow_up = await chat(world, "Жұмыс беруші паспортымды алып қойды, бермей жатыр", "Мәскеуде құрылыста істеймін")
    assert follow_up.text != first.text and not follow_up.urgent
    assert world.scripts.get("topic_followup", "kk", country="RU") in follow_up.text
    assert world.scripts.numbers("RU", "kk") in follow_up.text


async def test_unpaid_wages_asks_only_what_is_unknown_and_takes_the_answer(world) -> None:  # type: ignore[no-untyped-def]
    first, answer = await chat(world, "я в Казани, мне не платят зарплату уже 3 месяца", "договора нет")
    ask = world.scripts.get
    assert ask("wages_ask_contract", "ru") in first.text
    assert ask("wages_ask_months", "ru") not in first.text and ask("wages_ask_country", "ru") not in first.text
    assert ask("wages_ask_contract", "ru") not in answer.text and answer.text != first.text


async def test_erasure_forgets_where_the_person_was_and_what_they_told(world) -> None:  # type: ignore[no-untyped-def]
    await chat(world, "я в Стамбуле, агент в инстаграме просит 500 долларов за визу", "удалите мои данные", "да")
    async with world.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.erased and case.country is None and not case.context
