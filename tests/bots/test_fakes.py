"""The fakes behave like the far side: JSON or form bodies, auth checks, Bot-API/Twilio-shaped answers."""

from __future__ import annotations

import aiohttp

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI


async def test_fake_telegram_accepts_json_bodies_and_counts_message_ids(fake_telegram: FakeTelegramAPI) -> None:
    url = f"{fake_telegram.base_url}/bot{fake_telegram.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        first = await (await http.post(url, json={"chat_id": 5, "text": "a"})).json()
        second = await (await http.post(url, json={"chat_id": 5, "text": "b"})).json()
        wrong = await http.post(f"{fake_telegram.base_url}/bot1:bad/sendMessage", json={"chat_id": 5, "text": "a"})
        unknown = await http.post(f"{fake_telegram.base_url}/bot{fake_telegram.token}/launchRocket")
        action = await (await http.post(url.replace("sendMessage", "sendChatAction"),
                                        data={"chat_id": "5", "action": "typing"})).json()  # fmt: skip
    assert first["ok"] and first["result"]["chat"] == {"id": 5, "type": "private"}
    assert second["result"]["message_id"] == first["result"]["message_id"] + 1
    assert (wrong.status, unknown.status) == (401, 404) and action == {"ok": True, "result": True}
    assert fake_telegram.sent_texts(5) == ["a", "b"]


async def test_fake_twilio_checks_basic_auth(fake_twilio: FakeTwilioAPI) -> None:
    url = f"{fake_twilio.base_url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    form = {"To": "+1", "From": "+2", "Body": "x"}
    async with aiohttp.ClientSession() as http:
        denied = await http.post(url, data=form)
        allowed = await http.post(url, data=form, auth=aiohttp.BasicAuth(fake_twilio.account_sid,
                                                                          fake_twilio.auth_token))  # fmt: skip
        body = await allowed.json()
    assert denied.status == 401 and allowed.status == 201
    assert body["sid"].startswith("SM") and body["to"] == "+1" and body["from"] == "+2"
    assert len(fake_twilio.sent_sms()) == 1  # the refused request is not recorded
