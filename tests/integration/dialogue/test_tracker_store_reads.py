"""The city tracker store's short reads (issue 12, performance) give what a whole tracker gives.

The city channel no longer rebuilds the tracker before and after each turn: it asks the store
(nlu/city_tracker_store.py) for the previous turn's metadata and language switch
(`previous_turn`) and for the interpretation the turn's save wrote (`latest_parse`). Here, in
Rasa's own environment, on a real SQLite file, those answers are compared with the channel's
functions applied to the whole tracker read back, over a dialogue with a language switch, a form
question, personal data and a new session; and the events the store rebuilds are compared with
Rasa's own deserialisation. The database runs in WAL mode and its log files stay private. The
action server's answers are accepted and refused as Rasa's own check does (nlu/action_check.py).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from assistant.cli.stack import NLU_DIR, RASA_VENV

pytestmark = pytest.mark.rasa

SCRIPT = r'''
import asyncio, json, os, stat, sys
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
                                     UserUttered, deserialise_events as rasa_deserialise)
from city_channel import last_user_message, previous_turn
from city_tracker_store import CityTrackerStore, deserialise_events, healthy_store
from rasa.core.actions.action import RemoteAction
import action_check

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, book, switch]
slots:
  lang: {type: text, mappings: [{type: custom}]}
  requested_slot: {type: any, mappings: [{type: custom}]}
  policy_number: {type: text, mappings: [{type: custom}]}
""")
POLICY = "7712345678901234"


def user(text, intent, lang, entities=()):
    return UserUttered(text, {"name": intent, "confidence": 0.9}, list(entities),
                       metadata={"lang": lang, "request_lang": lang, "channel": "phone"})


async def main(db):
    store = CityTrackerStore(domain=DOMAIN, host=f"sqlite:///{db}", session_ttl_min=60)
    out = {"healthy": healthy_store(FailSafeTrackerStore(store)) is store, "turns": []}
    sender = "caller-1"
    turns = [  # made turn by turn, so that the timestamps follow each other as in a dialogue
        lambda: [SessionStarted(), ActionExecuted("action_listen"), user("hello", "greet", "ru"),
                 BotUttered("Здравствуйте")],
        lambda: [user("speak english", "switch", "ru"), SlotSet("lang", "en"), BotUttered("Hi")],
        lambda: [user("book a doctor", "book", "ru"), SlotSet("requested_slot", "policy_number"),
                 BotUttered("Your policy number?")],
        lambda: [user(POLICY, "book", "en", [{"entity": "policy", "value": POLICY}]),
                 SlotSet("policy_number", POLICY), SlotSet("lang", "ru"), BotUttered("Thanks")],
        lambda: [SessionStarted(), ActionExecuted("action_listen"), user("again", "greet", "en")],
    ]
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for make in turns:
        events = make()
        before = store.previous_turn(sender)
        whole_before = previous_turn(await store.retrieve(sender))
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        latest = store.latest_parse(sender)
        again = store.latest_parse(sender)
        read_back = last_user_message(await store.retrieve(sender)).parse_data
        out["turns"].append({
            "previous": before, "whole_previous": whole_before,
            "latest": {"intent": latest["intent"], "entities": latest["entities"]},
            "read_back": {"intent": read_back["intent"], "entities": read_back["entities"]},
            "latest_twice": again,
        })
        tracker = await store.retrieve(sender)
    stored = [json.loads(row.data) for row in
              store._event_query(store.sessionmaker(), sender, True).all()]
    ours = [e.as_dict() for e in deserialise_events(stored)]
    out["same_events"] = ours == [e.as_dict() for e in rasa_deserialise(stored)]
    out["event_count"] = len(ours)
    with store.engine.connect() as connection:
        out["journal_mode"] = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    out["modes"] = {name: oct(stat.S_IMODE(os.stat(f"{db}{name}").st_mode))
                    for name in ("", "-wal") if os.path.exists(f"{db}{name}")}
    out["checks"] = compare_checks()
    print(json.dumps(out))


def compare_checks():
    """Rasa's own check and action_check's, on good and bad answers of an action server."""
    answers = [
        {"events": [{"event": "slot", "name": "lang", "value": "en"}], "responses": []},
        {"events": [], "responses": [{"text": "hi"}]},
        {},
        {"events": "not a list"},
        {"events": [{"event": 5}]},
        {"events": [{"no": "event"}], "responses": "x"},
        {"responses": [1, 2]},
    ]
    action = RemoteAction("action_x", None)
    rasa_own = RemoteAction._validate_action_result
    found = []
    for answer in answers:
        outcomes = []
        for check in (rasa_own, action_check.validate_action_result):
            try:
                outcomes.append(["ok", check(action, answer)])
            except Exception as error:
                outcomes.append([type(error).__name__, str(error)])
        found.append(outcomes)
    action_check.install()
    found.append(RemoteAction._validate_action_result is action_check.validate_action_result)
    return found


asyncio.run(main(sys.argv[1]))
'''


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The script's findings, run once with Rasa's Python, the store's folder on its path."""
    python = RASA_VENV / "bin" / "python"
    assert python.exists(), f"{python} is missing: run ./manage.sh setup to create Rasa's env"
    tmp = tmp_path_factory.mktemp("store-reads")
    script = tmp / "store_reads.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(NLU_DIR), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([str(python), str(script), str(tmp / "tracker.db")], cwd=NLU_DIR,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_short_reads_answer_what_the_whole_tracker_answers(result: dict) -> None:
    assert result["healthy"]
    turns = result["turns"]
    assert len(turns) == 5
    for number, turn in enumerate(turns, 1):
        assert turn["previous"] == turn["whole_previous"], f"turn {number}: {turn}"
        assert turn["latest"] == turn["read_back"], f"turn {number}: {turn}"
        assert turn["latest_twice"] is None, f"turn {number}: given twice"
    # the switch to English after the second turn, seen before the third
    assert turns[2]["previous"] == [{"lang": "ru", "request_lang": "ru", "channel": "phone"}, "en"]
    assert turns[0]["previous"] == [None, None]
    assert turns[4]["previous"] == [{"lang": "en", "request_lang": "en", "channel": "phone"}, "ru"]
    assert turns[4]["latest"]["intent"]["name"] == "greet"  # the new session's first turn
    # the answer to the policy question keeps no digit in what the channel answers, as stored
    entities = turns[3]["latest"]["entities"]
    assert entities == [{"entity": "policy", "value": "*" * 16}], entities
    assert result["same_events"] and result["event_count"] == 17


def test_the_action_answers_are_checked_as_rasa_checks_them(result: dict) -> None:
    *pairs, installed = result["checks"]
    assert installed
    assert [rasa for rasa, _ in pairs].count(["ok", True]) == 3, pairs
    for rasa, ours in pairs:
        assert ours == rasa


def test_the_database_logs_ahead_and_stays_private(result: dict) -> None:
    assert result["journal_mode"] == "wal"
    assert result["modes"][""] == "0o600", result["modes"]
    assert result["modes"].get("-wal", "0o600") == "0o600", result["modes"]
