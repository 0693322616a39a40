"""The kiosk page in headless Chromium, with a WAV file as the fake microphone.

Needs Debian's chromium (`apt-get install -y chromium`); Playwright drives it through
`executable_path`, so `playwright install` is never needed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from audio.formats import write_wav
from audio.types import AudioFormat
from tests.fixtures.audio.speech import Speech, silence
from tests.integration.channels.conftest import ARTIFACTS, TOKEN, Gateway

CHROMIUM = "/usr/bin/chromium"
QUIET = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: install it with `apt-get install -y chromium` "
                    "(or `./manage.sh setup`); never `playwright install`")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def mic_wav(speech: Speech) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    pcm = silence(400) + speech("네 감사합니다") + silence(1500)
    return write_wav(ARTIFACTS / "kiosk-mic.wav", pcm, AudioFormat(rate=16000))


def launch(pw: Playwright, args: list[str]) -> Browser:
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET + args)


def open_kiosk(browser: Browser, gateway: Gateway) -> Page:
    page = browser.new_page(viewport={"width": 1080, "height": 1500})
    page.goto(gateway.url(f"/kiosk?token={TOKEN}&lang=ko", "http"))
    return page


def test_kiosk_streams_shows_the_transcript_and_plays_the_reply(
        playwright: Playwright, gateway: Gateway, mic_wav: Path) -> None:
    browser = launch(playwright, ["--use-fake-ui-for-media-stream",
                                  "--use-fake-device-for-media-stream",
                                  f"--use-file-for-fake-audio-capture={mic_wav}"])
    try:
        page = open_kiosk(browser, gateway)
        page.wait_for_function("window.kiosk.state === 'ready'")
        assert page.locator("#mic-error").is_hidden()
        box = page.locator("#talk").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()  # push to talk: held until the server hears the end of the utterance
        page.wait_for_function("window.kiosk.events.some(e => e.type === 'partial')")
        page.wait_for_function("window.kiosk.events.some(e => e.type === 'final')")
        page.mouse.up()
        page.wait_for_function("window.kiosk.played >= 1")
        assert page.locator("#log li.user").first.inner_text()
        assert page.locator("#log li.bot").first.inner_text() == "Понятно."
        page.evaluate("window.kiosk.send({type: 'text', text: '1234'})")
        page.wait_for_function("document.getElementById('display').textContent.length > 0")
        assert page.locator("#display").inner_text() == "Номер: 1234"  # shown, not spoken
        page.locator("#repeat").click()
        page.wait_for_function("window.kiosk.played >= 3")
        page.screenshot(path=str(ARTIFACTS / "kiosk.png"), full_page=True)
    finally:
        browser.close()


def test_kiosk_says_clearly_when_the_microphone_is_refused(
        playwright: Playwright, gateway: Gateway) -> None:
    browser = launch(playwright, ["--use-fake-device-for-media-stream",
                                  "--deny-permission-prompts"])
    try:
        page = open_kiosk(browser, gateway)
        page.wait_for_selector("#mic-error", state="visible")
        assert "access was refused" in page.locator("#mic-error").inner_text() or \
            "доступ к нему запрещён" in page.locator("#mic-error").inner_text()
        assert page.locator("#talk").is_disabled()
        page.screenshot(path=str(ARTIFACTS / "kiosk-mic-refused.png"))
    finally:
        browser.close()
