"""The web chat in a real browser, against the real app and Rasa."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.browser]
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script> karta pobytu'


def _open(browser, base_url: str, width: int = 1280, height: int = 900, language: str = "en-US"):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
    page = context.new_page()
    page.goto(base_url + "/")
    return context, page


def _send(page, text: str) -> None:
    count = page.locator(".msg--bot").count()
    page.fill("#chat-input", text)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.msg--bot').length > {count}", timeout=60_000)
    page.wait_for_selector("#chat-typing", state="hidden")


def test_conversation_with_buttons_and_reload(browser, assistant, screenshot):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context, page = _open(browser, base, language="pl-PL")
    try:
        assert page.locator("#chat-lang").input_value() == "pl"  # browser language picked
        _send(page, "Dzień dobry")
        assert "Dzień dobry" in page.locator(".msg--bot").last.inner_text()
        _send(page, "Gdzie odebrać kartę pobytu w Krakowie?")
        assert page.locator(".msg__sources a").count() >= 1
        related = page.locator(".buttons").first.locator("button")
        assert related.count() >= 2
        count = page.locator(".msg--bot").count()
        related.first.click()
        page.wait_for_function(f"document.querySelectorAll('.msg--bot').length > {count}", timeout=60_000)
        assert page.locator(".msg__sources").count() >= 2
        screenshot(page, "widget-desktop")
        before = page.locator(".msg").count()
        page.reload()
        page.wait_for_selector(".msg")
        assert page.locator(".msg").count() == before  # history restored for the same sender
    finally:
        context.close()


def test_html_sent_by_a_user_is_shown_as_text(browser, assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context, page = _open(browser, base)
    try:
        _send(page, XSS)
        user_bubble = page.locator(".msg--user").last
        assert user_bubble.inner_text() == XSS
        assert user_bubble.locator("img, script").count() == 0
        assert page.evaluate("window.__xss") is None
    finally:
        context.close()


def test_phone_width_and_accessibility(browser, assistant, screenshot):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context, page = _open(browser, base, width=360, height=740, language="uk-UA")
    try:
        _send(page, "Привіт")
        _send(page, "Скільки коштує карта побиту?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "widget-phone-360")
        violations = axe_violations(page)
        assert violations == [], violations
        # keyboard only: from the top, Tab reaches the language switcher before the message box
        page.evaluate("document.activeElement && document.activeElement.blur()")
        focused = []
        for _ in range(40):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        assert "chat-lang" in focused and "chat-input" in focused
        assert focused.index("chat-lang") < focused.index("chat-input")
    finally:
        context.close()


def test_error_state_is_shown_in_the_chosen_language(browser, assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context, page = _open(browser, base, language="ru-RU")
    try:
        page.evaluate("document.getElementById('chat-input').removeAttribute('maxlength')")
        page.fill("#chat-input", "x" * 2500)
        page.keyboard.press("Enter")
        page.wait_for_selector("#chat-error:not([hidden])")
        assert "слишком длинное" in page.locator("#chat-error").inner_text()
    finally:
        context.close()


def _serve_host_page(body: bytes) -> str:
    """The office's page on another origin (another loopback port), served by a tiny thread."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def test_embedding_with_one_script_tag(browser, assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        host_page = (f'<!doctype html><html lang="pl"><head><title>Urząd</title></head><body><h1>Urząd</h1>'
                      f'<script src="{base}/static/embed.js" defer></script></body></html>').encode()
        page.goto(_serve_host_page(host_page))
        button = page.get_by_role("button", name="Czat INFO.OPT")
        button.click()
        frame = page.frame_locator("iframe[title='Czat INFO.OPT']")
        frame.locator("#chat-input").fill("Dzień dobry")
        frame.locator("#chat-input").press("Enter")
        frame.locator(".msg--bot").first.wait_for(timeout=60_000)
        assert "Dzień dobry" in frame.locator(".msg--bot").first.inner_text()
        assert frame.locator("#chat-lang").input_value() == "pl"
    finally:
        context.close()


def test_first_screen_welcomes_with_suggested_questions(browser, assistant):
    base = f"http://{assistant.settings.host}:{assistant.settings.port}"
    context, page = _open(browser, base, language="ru-RU")
    try:
        page.wait_for_selector("#chat-welcome .buttons button")
        assert "INFO.OPT" in page.locator(".welcome__text").inner_text()
        suggestions = page.locator("#chat-welcome .buttons button")
        assert 4 <= suggestions.count() <= 6
        assert "12 210 20 20" in page.locator(".welcome__note").inner_text()
        page.select_option("#chat-lang", "pl")   # before the first message the welcome follows the language
        page.wait_for_function("document.querySelector('.welcome__text') && "
                               "document.querySelector('.welcome__text').textContent.startsWith('Dzień dobry')")
        fees = page.locator("#chat-welcome .buttons button", has_text="opłaty")
        fees.click()
        page.wait_for_selector(".msg__sources a", timeout=60_000)
        assert page.locator("#chat-welcome").count() == 0
        assert page.locator(".msg--user").first.inner_text() == "Ile wynoszą opłaty?"
    finally:
        context.close()
