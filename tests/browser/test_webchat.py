"""The anonymous web chat in a real browser on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def until(page, expression: str, timeout_ms: int = 15_000) -> None:  # type: ignore[no-untyped-def]
    """Poll from outside: the page's CSP forbids the eval that ``wait_for_function`` uses."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}; the page shows: {page.inner_text('body')}")


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
    assert "+12°" in page.content()
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


def test_erase_clears_the_screen_and_the_tab_storage(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/chat")
    page.select_option("#lang", "ru")
    page.fill("#text", "у меня забрали паспорт, что делать")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.bot", timeout=15_000)
    first_session = page.evaluate("sessionStorage.getItem('s')")
    page.fill("#text", "/erase")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Да, удалить").click(timeout=15_000)
    until(page, "document.body.dataset.erased === '1'")
    until(page, "document.querySelectorAll('.msg').length === 1")
    assert "паспорт" not in page.inner_text("#log"), "the conversation is gone from the screen"
    assert page.locator(".msg.me").count() == 0
    until(page, f"sessionStorage.getItem('s') && sessionStorage.getItem('s') !== {first_session!r}")
    assert page.evaluate("localStorage.length") == 0
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_page_chrome_follows_the_language_the_bot_answers_in(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(server + "/chat")
    page.select_option("#lang", "ru")
    assert page.inner_text("#title") == "Анонимный чат"
    page.fill("#text", "Сәлеметсіз бе, маған көмек керек, жұмыс берушім жалақы төлемей жатыр")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.bot", timeout=15_000)
    until(page, "document.documentElement.lang === 'kk'")
    assert page.inner_text("#title") == "Анонимді чат"
    assert page.inner_text("#exit-label") == "Шығу"
    assert page.get_attribute("#text", "placeholder") == "Хабарлама жазыңыз…"
    page.close()
