"""The anonymous web chat in a real browser on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_person_chats_anonymously_and_quick_exit_leaves_nothing(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(server + "/chat")
    page.select_option("#lang", "kk")
    page.fill("#text", "Сәлеметсіз бе, маған көмек керек")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.bot", timeout=15_000)
    assert page.locator(".msg.me").first.inner_text().startswith("Сәлеметсіз бе")
    assert page.locator(".msg.bot").count() >= 1
    assert page.evaluate("sessionStorage.getItem('s')"), "the session lives in this tab only"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "webchat-phone.png"))
    page.click("#exit")
    page.wait_for_url("**/weather")
    assert page.evaluate("sessionStorage.length") == 0
    assert "Weather" in page.content()
    page.go_back()
    assert "/chat" not in page.url or page.url.endswith("/weather"), "back does not return to the chat"
    page.close()


def test_chat_page_loads_nothing_from_third_parties(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/chat")
    page.wait_for_timeout(500)
    assert requests and all(url.startswith((server, server.replace("http", "ws"))) for url in requests)
    page.close()
