"""Coordinators edit a bot text: draft → preview shows it → publish → the bot uses it → rollback."""

from __future__ import annotations

from sqlalchemy import select

from app.platform.db import session_scope
from app.platform.models import AuditEntry, ScriptText
from tests.pages import csrf, services_of, signed_in

NEW_GREET = "Здравствуйте! Это новый проверочный текст приветствия."


async def test_edit_preview_publish_and_rollback_a_russian_text(client) -> None:  # type: ignore[no-untyped-def]
    services = services_of(client)
    old = services.scripts.get("greet", "ru")
    token = await signed_in(client, "koordinator", role="coordinator")

    draft = await client.post("/admin/scripts/greet/draft",
                              data={"csrf": token, "language": "ru", "variant": "chat", "text": NEW_GREET})  # fmt: skip
    assert draft.status_code == 303
    assert services.scripts.get("greet", "ru") == old  # a draft changes nothing for people

    preview = await client.post("/admin/scripts/greet/preview",
                                data={"csrf": token, "language": "ru", "variant": "chat", "message": "Привет"})  # fmt: skip
    assert preview.status_code == 200 and NEW_GREET in preview.text.split('id="preview-result"')[1].split("</ol>")[0]
    async with session_scope(services.sessionmaker) as session:  # the preview left nothing behind
        from app.platform.models import Case, Contact

        assert (await session.scalars(select(Case))).first() is None
        assert (await session.scalars(select(Contact))).first() is None

    published = await client.post("/admin/scripts/greet/publish", data={"csrf": token, "language": "ru", "variant": "chat"})
    assert published.status_code == 303
    assert services.scripts.get("greet", "ru") == NEW_GREET

    versions = await client.get("/admin/scripts/greet/ru/chat/versions")
    assert versions.status_code == 200 and 'class="diff"' in versions.text
    async with session_scope(services.sessionmaker) as session:
        first = await session.scalar(select(ScriptText).where(ScriptText.key == "greet", ScriptText.language == "ru",
                                                               ScriptText.variant == "chat", ScriptText.version == 1))  # fmt: skip
    rolled = await client.post("/admin/scripts/rollback", data={"csrf": token, "version_id": str(first.id)})
    assert rolled.status_code == 303
    assert services.scripts.get("greet", "ru") == old
    async with session_scope(services.sessionmaker) as session:
        actions = set((await session.scalars(select(AuditEntry.action))).all())
        versions_now = (await session.scalars(select(ScriptText.version).where(
            ScriptText.key == "greet", ScriptText.language == "ru", ScriptText.variant == "chat"))).all()  # fmt: skip
    assert {"script.draft", "script.publish", "script.rollback"} <= actions
    assert sorted(versions_now) == [1, 2, 3]  # history only grows


async def test_sms_text_shows_its_segment_count(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "smscoord", role="coordinator")
    page = await client.get("/admin/scripts/greet")
    assert page.status_code == 200 and "data-segments" in page.text


async def test_emergency_numbers_needing_review_are_highlighted(client) -> None:  # type: ignore[no-untyped-def]
    services = services_of(client)
    async with session_scope(services.sessionmaker) as session:
        row = await session.scalar(select(ScriptText).where(ScriptText.key.like("numbers.%")))
        row.needs_review = True
        key = row.key
    await signed_in(client, "numcoord", role="coordinator")
    listing = await client.get("/admin/scripts")
    assert "review" in listing.text.split(f">{key}</a>")[1].split("</tr>")[0]
    page = await client.get(f"/admin/scripts/{key}")
    assert 'class="alert"' in page.text and "badge red" in page.text


async def test_empty_draft_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "emptycoord", role="coordinator")
    response = await client.post("/admin/scripts/greet/draft", data={"csrf": token, "language": "ru", "text": "  "})
    assert response.headers["location"].endswith("error=bad_text")


async def test_statistics_page_and_csv_have_no_personal_data(client) -> None:  # type: ignore[no-untyped-def]
    from tests.pages import person_writes

    await person_writes(client, "Помогите срочно, меня заперли", external_id="+77019998877")
    await signed_in(client, "statcoord", role="coordinator")
    page = await client.get("/admin/stats")
    assert page.status_code == 200 and "<svg" in page.text and "+7701999" not in page.text
    csv_text = (await client.get("/admin/stats.csv")).text
    assert csv_text.startswith("week_start,channel,language,intent,urgent,count") and ",sms,ru,emergency,1,1" in csv_text
    assert (await client.get("/admin/stats.csv?table=summary")).text.startswith("metric,value")


async def test_admin_adds_and_deactivates_an_account(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "root", role="admin")
    created = await client.post("/admin/accounts", data={"csrf": token, "login": "newop", "name": "New",
                                                         "role": "operator", "languages": ["uz"],
                                                         "password": "long enough pw"})  # fmt: skip
    assert created.headers["location"] == "/admin/accounts?done=created"
    updated = await client.post("/admin/accounts/newop/update", data={"csrf": token, "role": "operator",
                                                                      "languages": ["uz", "ru"]})  # fmt: skip
    assert updated.headers["location"] == "/admin/accounts?done=updated"
    selfish = await client.post("/admin/accounts/root/update", data={"csrf": token, "role": "operator",
                                                                     "languages": ["ru"], "active": "1"})  # fmt: skip
    assert selfish.headers["location"] == "/admin/accounts?error=self_lockout"
    client.cookies.clear()
    token = await csrf(client)
    refused = await client.post("/auth/login", data={"csrf": token, "login": "newop", "password": "long enough pw"})
    assert refused.status_code == 401  # deactivated (no "active" box ticked)


async def test_nlu_examples_are_listed_read_only(client) -> None:  # type: ignore[no-untyped-def]
    await signed_in(client, "nlucoord", role="coordinator")
    overview = await client.get("/admin/nlu")
    assert overview.status_code == 200 and "/admin/nlu/greet" in overview.text
    page = await client.get("/admin/nlu/greet")
    assert page.status_code == 200 and "Сәлем" in page.text
    assert (await client.get("/admin/nlu/no_such_intent")).status_code == 404
