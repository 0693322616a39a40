"""The operator screen in headless Chromium: opened with the operator token, it shows a phone
handoff live (over /v1/operator) with its masked summary, in Russian and, one tap later, in
English. The handoff is a real one: the fake Asterisk caller presses "0#" and the stand-in
dialogue hands off. Screenshot: test-artifacts/operator.png."""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Playwright, expect, sync_playwright

from assistant.cli.audiosocket_caller import FakeAsterisk
from tests.integration.channels.conftest import ARTIFACTS, OPERATOR_TOKEN, Gateway
from tests.integration.channels.support import POLICY

CHROMIUM = "/usr/bin/chromium"
QUIET = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: install it with `apt-get install -y chromium`; "
                    "never `playwright install`")
    with sync_playwright() as pw:
        yield pw


def phone_handoff(gateway: Gateway) -> str:
    """A caller that asks for an operator; returns the call id (run off Playwright's loop)."""
    async def call() -> str:
        async with FakeAsterisk("127.0.0.1", gateway.phone_port) as caller:
            await caller.wait_audio_after(0.0)
            await caller.send_digits("0#")
            await asyncio.wait_for(caller.hung_up.wait(), 30)
            return str(caller.call_id)
    found: list[str] = []
    thread = threading.Thread(target=lambda: found.append(asyncio.run(call())))
    thread.start()
    thread.join(60)
    assert found, "the fake caller did not finish"
    return found[0]


def test_the_page_needs_the_operator_token(gateway: Gateway) -> None:
    url = gateway.url("/operator", "http")
    assert httpx.get(url, timeout=10).status_code == 403
    assert httpx.get(url, params={"token": "wrong"}, timeout=10).status_code == 403


def test_a_handoff_appears_live_with_its_masked_summary(playwright: Playwright,
                                                        gateway: Gateway) -> None:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(gateway.url(f"/operator?token={OPERATOR_TOKEN}", "http"))
        expect(page.locator("#status")).to_have_text("На связи: обновляется сразу")
        call_id = phone_handoff(gateway)  # the page is open already: the card comes live
        card = page.locator(f'#live .card[data-call-id="{call_id}"]')
        expect(card).to_be_visible(timeout=15000)
        text = card.inner_text()
        assert "запись к врачу" in text and "телефон" in text and "корейский" in text
        assert POLICY[-4:] in text and POLICY not in text  # masked
        assert "operators-ko" in text and "Последние реплики" in text
        expect(card.locator("[data-role=wait]")).to_have_text(re.compile(r"^\d+:\d\d$"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "operator.png"), full_page=True)

        page.get_by_role("button", name="English").click()
        expect(page.locator("#live-title")).to_have_text("Waiting for an operator")
        assert "doctor's appointment" in card.inner_text()
        page.screenshot(path=str(ARTIFACTS / "operator-en.png"), full_page=True)

        card.get_by_role("button", name="Take").click()  # taken: it moves to "Recent"
        expect(page.locator(f'#recent .card[data-call-id="{call_id}"]')).to_be_visible()
    finally:
        browser.close()


def test_the_socket_refuses_a_foreign_origin(playwright: Playwright, gateway: Gateway) -> None:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET)
    try:
        page = browser.new_page()
        page.goto("about:blank")
        url = gateway.url(f"/v1/operator?token={OPERATOR_TOKEN}")
        opened = page.evaluate("""(url) => new Promise((done) => {
            const ws = new WebSocket(url);
            ws.onopen = () => done(true); ws.onerror = () => done(false); })""", url)
        assert opened is False  # about:blank sends Origin "null": not the gateway's own
    finally:
        browser.close()
