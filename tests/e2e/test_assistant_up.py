"""`assistant up --chat` as a user runs it: four services, a conversation, Ctrl-C, no orphans.

The process under test is the session's shared stack (tests/fixtures/stack.py starts it with
this very command), so these tests cost no stack of their own. The Ctrl-C test stops it: it is
marked `stops_stack`, and tests/conftest.py runs it after every other test that uses the stack.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.fixtures.stack import SERVICES, RunningStack, alive, children_of


def test_up_runs_four_healthy_services(stack: RunningStack) -> None:
    spawned = children_of(stack.process.pid)
    assert len(spawned) == len(SERVICES), (spawned, "".join(stack.output))
    for name in SERVICES:  # every service, Rasa's own included
        health = httpx.get(f"{stack.url(name)}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok", (name, health.text)
    for name in SERVICES:
        assert stack.url(name) in "".join(stack.output), f"`up` did not print {name}'s URL"


def test_up_says_voice_is_off_and_how_to_turn_it_on(stack: RunningStack) -> None:
    line = stack.wait_for("Voice is off")
    assert "assistant models pull ru" in line, line


def test_up_chat_answers_typed_lines_in_both_languages(stack: RunningStack) -> None:
    mark = stack.seen()
    stack.type_line("/en")
    stack.type_line("hello")
    assert "Hello" in stack.wait_for("assistant:", after=mark)
    mark = stack.seen()
    stack.type_line("/ru")
    stack.type_line("здравствуйте")
    assert "Здравствуйте" in stack.wait_for("assistant:", after=mark)


def test_text_turns_in_both_languages(stack: RunningStack) -> None:
    for lang, text, greeting in (("ru", "здравствуйте", "Здравствуйте"),
                                 ("en", "good morning", "Hello")):
        reply = stack.text(f"e2e-up-{lang}", text, lang, channel="kiosk")
        assert reply["session_id"] == f"e2e-up-{lang}"
        assert not [e for e in reply["events"] if e.get("type") == "error"], reply
        assert greeting in " ".join(r["text"] for r in reply["replies"]), reply


@pytest.mark.stops_stack
def test_ctrl_c_stops_everything_and_leaves_nothing(stack: RunningStack) -> None:
    family = set(stack.family)
    assert len(family) >= len(SERVICES), family
    assert stack.interrupt(timeout_s=90) == 0, "".join(stack.output[-40:])
    time.sleep(0.5)
    assert not [pid for pid in family if alive(pid)], "a child outlived Ctrl-C"
