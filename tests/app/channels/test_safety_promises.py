"""Every channel keeps the safety promises: erase wipes the screen and the queue, the safe word is silent,
the page speaks the conversation's language, and only sessions the server issued are accepted."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from app.oncall.service import queue, take_case
from app.platform.db import session_scope
from app.platform.models import Case, Message, Operator, utcnow
from app.statistics.service import compute
from tests.app.channels.conftest import HOTLINE, SECRET
from tests.fakes.person import SmsPerson, TelegramPerson, WebChatPerson
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI

LOCKED_IN = "помогите меня заперли в комнате и забрали паспорт"


async def operator_queue(services) -> list[str]:  # type: ignore[no-untyped-def]
    """The aliases a Russian-speaking operator on duty sees in the console queue."""
    async with session_scope(services.sessionmaker) as session:
        operator = await session.scalar(select(Operator).where(Operator.login == "aigerim"))
        if operator is None:
            operator = Operator(id=uuid.uuid4(), login="aigerim", display_name="Aigerim", role="operator",
                                languages=["ru", "kk"], active=True, available=True)  # fmt: skip
            session.add(operator)
            await session.flush()
        return [summary.alias for summary in (await queue(session, services.oncall, operator)).cases]


async def test_web_chat_erase_clears_the_page_and_the_case_leaves_the_queue(client) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    async with WebChatPerson(client.app) as person:
        await person.say(LOCKED_IN)
        case = await person.case()
        assert case is not None and case.urgent
        assert case.alias in await operator_queue(services)

        asked = await person.say("/erase")
        assert ("erase:yes" in [data for _, data in asked.buttons]), asked
        done = await person.press("erase:yes")

        assert done.cleared, "the page is told to wipe the conversation and its storage"
        assert done.texts == [services.scripts.get("erase_done", case.language)], "only the closing line is left"
        assert await person.case() is None
    assert case.alias not in await operator_queue(services), "no Take button for an erased case"
    async with services.sessionmaker() as session:
        erased = await session.scalar(select(Case).where(Case.alias == case.alias))
        assert erased is not None and erased.erased and erased.status == "closed" and erased.outcome == "erased"
        assert erased.contact_id is None and erased.urgent_reason is None
        assert await session.scalar(select(func.count()).select_from(Message).where(Message.case_id == erased.id)) == 0
        assert (await compute(session, utcnow().date(), weeks=1)).erased == 1, "counted in statistics, without content"


async def test_delete_my_data_in_words_clears_the_web_chat_too(client) -> None:  # type: ignore[no-untyped-def]
    async with WebChatPerson(client.app, lang="ru") as person:
        await person.say("у меня забрали паспорт")
        await person.say("удалите мои данные")
        done = await person.say("да")
        assert done.cleared and await person.case() is None


async def test_safeword_in_the_web_chat_gives_the_innocent_reply_and_silently_escalates(client) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    async with WebChatPerson(client.app, lang="ru") as person:
        await person.say("Здравствуйте")
        set_word = await person.say("/safeword олма")
        case = await person.case()
        assert case is not None and not case.urgent
        assert set_word.texts == [services.scripts.get("safe_word_set", case.language)]

        said = await person.say("Олма")
        case = await person.case()
        assert case is not None and case.urgent and case.urgent_reason == "safe_word"
        assert said.texts[0] == services.scripts.get("innocent_recipe", case.language), "looks like an ordinary chat"
        assert case.alias in await operator_queue(services), "a human is alerted all the same"


async def test_bare_safeword_says_how_to_set_one_and_alerts_nobody(client) -> None:  # type: ignore[no-untyped-def]
    async with WebChatPerson(client.app, lang="ru") as person:
        await person.say("Здравствуйте")
        said = await person.say("/safeword")
        case = await person.case()
        assert case is not None and not case.urgent
        assert said.texts == [client.services.scripts.get("safe_word_how", case.language)]


async def test_safeword_on_telegram_is_silent_and_urgent(client, fake_telegram: FakeTelegramAPI) -> None:  # type: ignore[no-untyped-def]
    person = TelegramPerson(client, client.services, fake_telegram, 700300400, secret=SECRET, language_code="kk")
    await person.say("Сәлеметсіз бе")
    await person.say("/safeword алма")
    said = await person.say("алма")
    case = await person.case()
    assert case is not None and case.urgent and case.urgent_reason == "safe_word"
    assert said.texts[0] == client.services.scripts.get("innocent_recipe", case.language)


async def test_safeword_by_sms_without_the_slash(client, fake_twilio: FakeTwilioAPI) -> None:  # type: ignore[no-untyped-def]
    person = SmsPerson(client, client.services, fake_twilio, "+998901234567", hotline=HOTLINE,
                       public_url="https://helpline.example.org")  # fmt: skip
    set_word = await person.say("SAFEWORD olma")
    said = await person.say("olma")
    case = await person.case()
    assert case is not None and case.urgent
    assert set_word.texts == [client.services.scripts.get("safe_word_set", case.language, "sms")]
    assert said.texts == [client.services.scripts.get("innocent_recipe", case.language, "sms")]


async def test_each_reply_names_the_conversation_language_for_the_page(client) -> None:  # type: ignore[no-untyped-def]
    async with WebChatPerson(client.app, lang="ru") as person:
        turn = await person.say("Сәлеметсіз бе, маған көмек керек, жұмыс берушім төлемей жатыр")
        assert turn.replies and {r.lang for r in turn.replies} == {"kk"}, turn


async def test_operator_joined_line_is_in_the_persons_language_without_the_case_alias(client) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    async with WebChatPerson(client.app, lang="kk") as person:
        await person.say("Көмектесіңіздерші, мені бөлмеге қамап қойды, паспортымды алып қойды")
        case = await person.case()
        assert case is not None and case.urgent and case.language == "kk"
        await operator_queue(services)
        async with session_scope(services.sessionmaker) as session:
            operator = await session.scalar(select(Operator).where(Operator.login == "aigerim"))
            assert operator is not None
            assert (await take_case(session, services.oncall, case.alias, operator)).ok
        joined = await person.read()
    assert joined.texts == [services.scripts.get("operator_joined", "kk")]
    assert case.alias not in joined.texts[0] and joined.replies[0].lang == "kk"


async def test_web_chat_refuses_session_ids_it_did_not_issue(client) -> None:  # type: ignore[no-untyped-def]
    async with WebChatPerson(client.app, session="aaaaaaaaaaaaaaaa") as weak:
        assert weak.session != "aaaaaaaaaaaaaaaa"
        issued = weak.session
    async with WebChatPerson(client.app, session=issued) as again:
        assert again.session == issued, "a reload keeps the conversation the server opened"
    token, _, signature = issued.partition(".")
    forged = f"{token}.{'0' * len(signature)}"
    async with WebChatPerson(client.app, session=forged) as guess:
        assert guess.session not in (forged, issued)


async def test_chat_page_runs_no_inline_code(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/chat")
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "<style" not in page.text and re.search(r"<script>\S", page.text) is None
    for asset, kind in (("/chat/chat.js", "javascript"), ("/chat/chat.css", "css"), ("/weather/weather.js", "javascript"),
                        ("/weather/weather.css", "css")):  # fmt: skip
        served = await client.get(asset)
        assert served.status_code == 200 and kind in served.headers["content-type"]
        assert served.headers["x-content-type-options"] == "nosniff"


async def test_quick_exit_page_says_nothing_in_any_language(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/weather")
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", page.text, flags=re.S)
    assert re.findall(r"[^\W\d_]{2,}", visible) == [], "no word a reader over the shoulder could tie to a language"
    assert "unsafe-inline" not in page.headers["content-security-policy"]


async def test_a_case_erased_before_the_fix_is_neither_listed_nor_taken(client) -> None:  # type: ignore[no-untyped-def]
    services = client.services
    async with WebChatPerson(client.app, lang="ru") as person:
        await person.say(LOCKED_IN)
        case = await person.case()
    assert case is not None and case.alias in await operator_queue(services)
    async with session_scope(services.sessionmaker) as session:  # as an older version left it: erased, still waiting
        stale = await session.scalar(select(Case).where(Case.alias == case.alias))
        assert stale is not None
        stale.erased, stale.contact_id = True, None
    assert case.alias not in await operator_queue(services)
    async with session_scope(services.sessionmaker) as session:
        operator = await session.scalar(select(Operator).where(Operator.login == "aigerim"))
        assert operator is not None
        assert not (await take_case(session, services.oncall, case.alias, operator)).ok
