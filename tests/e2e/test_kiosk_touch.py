"""The kiosk page on the whole running stack, in headless Chromium, in Russian and in English.

- Touch only: every service tile reaches its task in real Rasa (the tracker's intent), and a
  visit is booked with the keypad (the policy number and the birth date shown masked, never in
  full on screen or in the gateway's log) and answer buttons, ending on the confirmation card
  whose QR code encodes the booking's reference.
- Fake microphone: a spoken turn (Korean, the stack's test model), then one tap to the
  language, and the Troika card number keyed on the keypad in the same session.

Chromium is Debian's (`apt-get install -y chromium`), driven by Playwright through
`executable_path`; `playwright install` is never needed. Screenshots go to test-artifacts/:
kiosk-tiles-{ru,en}.png, kiosk-keypad-{ru,en}.png, kiosk-choices-{ru,en}.png,
kiosk-booked-{ru,en}.png, kiosk-voice-{ru,en}.png.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from assistant.gateway.qr import qr_matrix
from audio.formats import write_wav
from audio.types import AudioFormat
from tests.fixtures.audio.speech import silence, speak
from tests.fixtures.qr_svg import svg_modules
from tests.fixtures.stack import (
    ROOT,
    RunningStack,
    SessionStack,
    appointments,
    patient_token,
    without_visits,
)

CHROMIUM = "/usr/bin/chromium"
QUIET = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
FAKE_MIC = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
TOKEN = "demo-kiosk-token"  # config.yml channels.voice_tokens, as the stack runs it
ARTIFACTS = ROOT / "test-artifacts"
POLICY, BIRTH, BORN = "7700000000000017", "30061978", "1978-06-30"  # Sergei Ivanov (city seed)
CARD = "0123456789"  # a demo Troika card (city seed)

# tile -> (the intent Rasa must see, the slot kind the task asks for next, if any)
TILES: dict[str, tuple[str, str | None]] = {
    "doctor": ("book_appointment", "specialty"),
    "troika": ("troika_balance", "card_number"),
    "transport": ("transport_arrivals", "stop"),
    "wifi": ("wifi_nearby", None),  # answered at once: the nearest hotspot to the kiosk
    "problem": ("report_problem", "free_text"),
    "queue": ("kindergarten_queue_status", "application_number"),
}
WORDS = {
    "ru": {"therapist": "Терапевт", "tomorrow": "Завтра", "yes": "Да", "booked": "Вы записаны",
           "start": "Начать заново", "tiles": "Или выберите услугу"},
    "en": {"therapist": "Therapist", "tomorrow": "Tomorrow", "yes": "Yes",
           "booked": "You are booked", "start": "Start over", "tiles": "Or choose a service"},
}


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: install it with `apt-get install -y chromium` "
                    "(or `./manage.sh setup`); never `playwright install`")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Touch only: a fake microphone is there, and never used."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=QUIET + FAKE_MIC)
    try:
        yield launched
    finally:
        launched.close()


class Kiosk:
    """The page, driven the way a person at the kiosk does, with waits on its own events."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def count(self, kind: str) -> int:
        return int(self.page.evaluate(
            f"window.kiosk.events.filter(e => e.type === '{kind}').length"))

    def ready(self) -> None:
        self.page.wait_for_function("window.kiosk.state === 'ready'")

    def tap(self, selector: str) -> dict[str, Any]:
        """Tap, then wait for the turn's end; the turn's reply event."""
        before = self.count("turn-end")
        self.page.locator(selector).click()
        self.page.wait_for_function(
            f"window.kiosk.events.filter(e => e.type === 'turn-end').length > {before}")
        reply: dict[str, Any] = self.page.evaluate(
            "window.kiosk.events.filter(e => e.type === 'reply').at(-1)")
        return reply

    def key_in(self, digits: str) -> None:
        for digit in digits:
            self.page.locator(f".key[data-key='{digit}']").click()

    def expects(self) -> str | None:
        slot: str | None = self.page.evaluate("window.kiosk.expect && window.kiosk.expect.slot")
        return slot

    def session(self) -> str:
        return str(self.page.evaluate("window.kiosk.sessionId"))

    def start_over(self) -> None:
        self.page.locator("#restart").click()
        self.ready()


def open_kiosk(browser: Browser, stack: RunningStack, lang: str) -> Kiosk:
    page = browser.new_page(viewport={"width": 1080, "height": 1700}, has_touch=True)
    page.on("console", lambda msg: print("page console:", msg.type, msg.text))
    page.goto(f"{stack.gateway_url}/kiosk?token={TOKEN}&lang={lang}")
    kiosk = Kiosk(page)
    kiosk.ready()
    return kiosk


def said(reply: dict[str, Any]) -> str:
    return " | ".join(reply["texts"])


def intent_of(stack: RunningStack, sender: str) -> str:
    answer = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker",
                       params={"token": stack.rasa_token}, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["latest_message"]["intent"].get("name"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_tile_starts_its_task(browser: Browser, stack: RunningStack, lang: str) -> None:
    kiosk = open_kiosk(browser, stack, lang)
    page = kiosk.page
    assert page.locator("#tiles-title").inner_text() == WORDS[lang]["tiles"]
    assert page.locator(".tile").count() == len(TILES)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-tiles-{lang}.png"))
    for tile, (intent, asks) in TILES.items():
        kiosk.start_over()
        reply = kiosk.tap(f".tile[data-task='{tile}']")
        assert reply["texts"], f"{tile}: no reply"
        assert intent_of(stack, kiosk.session()) == intent, f"{tile}: {said(reply)}"
        assert kiosk.expects() == asks, f"{tile}: {said(reply)} {reply['events']}"
        assert page.locator("#keypad").is_visible() == (asks in ("card_number",
                                                                   "application_number"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_visit_is_booked_by_touch_with_a_qr_code_of_the_reference(
        browser: Browser, stack: RunningStack, _session_stack: SessionStack, lang: str) -> None:
    without_visits(stack, POLICY, BORN)
    kiosk = open_kiosk(browser, stack, lang)
    page = kiosk.page
    reply = kiosk.tap(".tile[data-task='doctor']")
    assert kiosk.expects() == "specialty", said(reply)
    reply = kiosk.tap(f".choice:text-is('{WORDS[lang]['therapist']}')")
    assert kiosk.expects() == "policy_number", said(reply)

    assert page.locator("#keypad").is_visible() and page.locator("#key-send").is_disabled()
    kiosk.key_in(POLICY)
    assert page.locator("#keypad-shown").inner_text() == "•••• •••• •••• 0017"
    page.screenshot(path=str(ARTIFACTS / f"kiosk-keypad-{lang}.png"))
    reply = kiosk.tap("#key-send")
    assert kiosk.expects() == "birth_date", said(reply)
    assert page.locator("#display").inner_text() == "**** **** **** 0017"  # the action's own
    assert page.locator("#log li.user").first.inner_text() == "•••• •••• •••• 0017"

    kiosk.key_in(BIRTH)
    assert page.locator("#keypad-shown").inner_text() == "••.••.1978"
    reply = kiosk.tap("#key-send")
    assert kiosk.expects() == "date", said(reply)
    assert page.locator("#keypad").is_hidden()
    reply = kiosk.tap(f".choice:text-is('{WORDS[lang]['tomorrow']}')")
    assert kiosk.expects() == "slot_choice", said(reply)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-choices-{lang}.png"))  # the answer buttons
    reply = kiosk.tap(".choice >> nth=0")
    assert kiosk.expects() == "yes_no", said(reply)
    reply = kiosk.tap(f".choice:text-is('{WORDS[lang]['yes']}')")

    confirmation = [e for e in reply["events"] if e["type"] == "confirmation"]
    assert confirmation, f"no confirmation event: {said(reply)} {reply['events']}"
    reference = confirmation[0]["reference"]
    assert re.fullmatch(r"A\d{6}", reference) and reference in said(reply)
    page.wait_for_function("window.kiosk.qrShown >= 1")
    assert page.locator("#confirm").is_visible()
    assert page.locator("#confirm-title").inner_text() == WORDS[lang]["booked"]
    assert page.locator("#confirm-ref").inner_text() == reference
    assert page.locator("#confirm-when").inner_text() == confirmation[0]["when"]
    qr = page.locator("#confirm-qr")
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 250, "the QR code is large enough to scan"
    assert svg_modules(str(qr.get_attribute("src"))) == qr_matrix(reference)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-booked-{lang}.png"), full_page=True)

    token = patient_token(stack, POLICY, BORN)
    assert reference in [a.get("reference") for a in appointments(stack, token)]
    # private digits: masked on screen, never in full in the gateway's log
    screen = page.locator("body").inner_text()
    assert POLICY not in screen.replace(" ", "") and BIRTH not in screen
    assert _session_stack.tmp is not None
    log = (Path(_session_stack.tmp.name) / "log" / "gateway.log").read_text(errors="replace")
    assert POLICY not in log and BIRTH not in log
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{kiosk.session()}/tracker",
                        params={"token": stack.rasa_token}, timeout=30).text
    assert POLICY not in tracker and BIRTH not in tracker, "the conversation keeps them"
    without_visits(stack, POLICY, BORN)


@pytest.fixture(scope="module")
def korean_wav() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    pcm = silence(400) + speak("안녕하세요", wpm=140) + silence(1500)
    return write_wav(ARTIFACTS / "kiosk-stack-mic.wav", pcm, AudioFormat(rate=16000))


@pytest.fixture
def mic_browser(playwright: Playwright, korean_wav: Path) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=QUIET + FAKE_MIC + [f"--use-file-for-fake-audio-capture={korean_wav}"])
    try:
        yield launched
    finally:
        launched.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_speech_then_one_tap_to_the_language_then_the_keypad(
        mic_browser: Browser, stack: RunningStack, lang: str) -> None:
    kiosk = open_kiosk(mic_browser, stack, "ko")  # the stack's only speech model is Korean
    page = kiosk.page
    assert page.locator("#mic-error").is_hidden()
    session = kiosk.session()
    box = page.locator("#talk").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()  # push to talk: held until the server hears the end of the utterance
    page.wait_for_function("window.kiosk.events.some(e => e.type === 'final')")
    page.mouse.up()
    page.wait_for_function("window.kiosk.events.some(e => e.type === 'reply')")
    page.wait_for_function("window.kiosk.played >= 1")
    assert page.locator("#log li.user").count() >= 1 and page.locator("#log li.bot").count() >= 1

    page.locator(f".lang[data-lang='{lang}']").click()  # one tap: the same session goes on
    kiosk.ready()
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("#restart").inner_text() == WORDS[lang]["start"]
    reply = kiosk.tap(".tile[data-task='troika']")
    assert kiosk.session() == session
    assert intent_of(stack, session) == "troika_balance", said(reply)
    assert kiosk.expects() == "card_number", said(reply)
    kiosk.key_in(CARD)
    assert page.locator("#keypad-shown").inner_text() == "•• •••• 6789"
    reply = kiosk.tap("#key-send")
    assert "245" in said(reply), said(reply)  # the demo card's balance, in the new language
    assert ("руб" in said(reply)) == (lang == "ru"), said(reply)
    assert CARD not in page.locator("body").inner_text().replace(" ", "")
    page.screenshot(path=str(ARTIFACTS / f"kiosk-voice-{lang}.png"), full_page=True)
