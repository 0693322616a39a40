"""Personal data at rest (issue 11): after a booking dialogue, neither the tracker that Rasa's API
gives (with its token) nor the raw tracker database holds the policy number, the birth date, the
patient's name or the live patient token."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Stack

from tests.fixtures.stack import SessionStack

pytestmark = pytest.mark.rasa
POLICY = "7712345678901234"
SECRETS = (POLICY, "7712 3456 7890 1234", "1985", "14 марта", "Иван Петров")


def leaks(text: str) -> list[str]:
    """The personal data in `text` (with what surrounds it); a patient token is any value of the
    patient_token slot that is neither masked nor sealed (actions/vault.py: ciphertext)."""
    found = []
    for secret in SECRETS:  # a whole value, not digits inside a float such as 4.1985e-05
        hit = re.search(rf"(?<![\d.]){re.escape(secret)}(?!\d)", text)
        if hit:
            found.append(f"{secret!r} in ...{text[max(0, hit.start() - 120):hit.end() + 40]}...")
    for value in _token_values(text):
        if value not in (None, "***") and not str(value).startswith("sealed:"):
            found.append(f"patient_token={value}")
    return found


def _token_values(text: str) -> list[Any]:
    values: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("name") == "patient_token" and "value" in node:
                values.append(node["value"])
            for key, value in node.items():
                if key in ("token", "patient_token") and not isinstance(value, dict):
                    values.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(text))
    return values


def stored_rows(db: Path, sender: str) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    assert rows, f"no stored events of {sender} in {db}"
    return json.dumps([json.loads(r[0]) for r in rows], ensure_ascii=False)


def test_a_booking_dialogue_leaves_no_personal_data_at_rest(
    stack: Stack, _session_stack: SessionStack
) -> None:
    sender = uuid.uuid4().hex
    stack.say(sender, "здравствуйте", "ru")
    stack.say(sender, "запишите меня к дерматологу", "ru")
    said = stack.say(sender, "семь семь один два три четыре пять шесть семь восемь девять ноль "
                             "один два три четыре", "ru")
    assert any("7712 3456 7890 1234" in m.get("text", "") for m in said)  # read back in full
    said = stack.say(sender, "четырнадцатого марта тысяча девятьсот восемьдесят пятого года",
                     "ru")
    assert any("Иван Петров" in m.get("text", "") for m in said), said
    stack.say(sender, "первый", "ru")
    stack.say(sender, "да", "ru")

    answer = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker",
                       params={"token": stack.rasa_token}, timeout=30)
    answer.raise_for_status()
    assert not leaks(answer.text), f"Rasa's API gives {leaks(answer.text)}"
    assert _session_stack.tmp is not None
    db = Path(_session_stack.tmp.name) / "tracker.db"
    raw = stored_rows(db, sender)
    assert not leaks(raw), f"the tracker database keeps {leaks(raw)}"
