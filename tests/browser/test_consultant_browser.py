"""The consultants' lookup tool in a real browser: sign-in, search as you type, copy."""
from __future__ import annotations

import pytest

from connectors.consultant.accounts import AccountStore
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_sign_in_search_and_copy(browser, assistant, screenshot):
    settings = assistant.settings
    store = AccountStore.from_url(settings.app_database_url, settings.secret_key)
    store.create_user("anna.konsultant", "a long enough passphrase 42")
    base = f"http://{settings.host}:{settings.port}"
    # bypass_csp lets the test inject axe-core; the tool's own pages allow only their own scripts
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    try:
        page.goto(base + "/consultant")
        page.wait_for_selector("#username")
        page.fill("#username", "anna.konsultant")
        page.fill("#password", "wrong password entirely")
        page.keyboard.press("Enter")
        page.wait_for_selector("#signin-error")
        page.fill("#username", "anna.konsultant")
        page.fill("#password", "a long enough passphrase 42")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-input")
        page.keyboard.press("/")
        page.keyboard.type("zgubiona karta pobytu")
        page.wait_for_selector("#results li", timeout=30_000)
        first = page.locator("#results li").first
        text = first.inner_text()
        for label in ("PL", "EN", "UK", "RU"):
            assert label in text.upper()
        assert violations_ok(page)
        copy = first.locator("button").first
        copy.click()
        clipboard = page.evaluate("navigator.clipboard.readText()")
        assert len(clipboard) > 40
        screenshot(page, "consultant-tool")
    finally:
        context.close()


def violations_ok(page) -> bool:
    violations = axe_violations(page)
    assert violations == [], violations
    return True
