"""The city tracker store's short reads (issue 12, performance) give what a whole tracker gives.

The city channel no longer rebuilds the tracker before and after each turn: it asks the store
(nlu/city_tracker_store.py) for the previous turn's metadata and language switch
(`previous_turn`) and for the interpretation the turn's save wrote (`latest_parse`). Here, in
Rasa's own environment, on a real SQLite file, those answers are compared with the channel's
functions applied to the whole tracker read back, over a dialogue with a language switch, a form
question, personal data and a new session; and the events the store rebuilds are compared with
Rasa's own deserialisation. The database runs in WAL mode and its log files stay private. The
action server's answers are accepted and refused as Rasa's own check does (nlu/action_check.py).

The store reads and saves with its own statements (compiled once, run as driver SQL), so they
are checked against Rasa's `SQLTrackerStore` on the same database, SQLite and a throwaway
PostgreSQL: the trackers it reads back (latest session and all sessions) and the rows it writes,
column by column, against Rasa's own save of the same trackers with the events masked. The
dialogues include a conversation without `session_started` and events stamped out of order. A
turn sends four statements, all driver SQL (nothing compiled by SQLAlchemy while it runs).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli.stack import NLU_DIR, RASA_VENV
from cityservices.pgtemp import PostgresUnavailable, TempPostgres

pytestmark = pytest.mark.rasa

SCRIPT = r'''
import asyncio, json, os, stat, sys, time
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
                                     UserUttered, deserialise_events as rasa_deserialise)
from city_channel import last_user_message, previous_turn
import city_tracker_store
from city_tracker_store import CityTrackerStore, deserialise_events, healthy_store
from tracker_privacy import mask_events
from rasa.core.actions.action import RemoteAction
import action_check

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, book, switch]
slots:
  lang: {type: text, mappings: [{type: custom}]}
  requested_slot: {type: any, mappings: [{type: custom}]}
  policy_number: {type: text, mappings: [{type: custom}]}
  patient_name: {type: text, mappings: [{type: custom}]}
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
    out["rasa"] = await compare_with_rasa(f"sqlite:///{db}.compare")
    print(json.dumps(out))


class MaskedRasaStore(SQLTrackerStore):
    """Rasa's own SQLTrackerStore.save (its `_additional_events`, its ORM rows), with the new
    events masked as the city store masks them, the whole stored tracker as their context."""

    async def save(self, tracker):
        with self.session_scope() as session:
            new = list(self._additional_events(session, tracker))
            events = list(tracker.events)
            stored = len(events) - len(new)
            masked = mask_events([event.as_dict() for event in events], stored)
            for event, data in zip(new, masked, strict=True):
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()


def dialogues(now):
    """Turns of three conversations; each turn is made when it is played (timestamps)."""
    ask = lambda slot: SlotSet("requested_slot", slot)
    return {
        "talk": [
            lambda: [SessionStarted(), ActionExecuted("action_listen"),
                     user("hello", "greet", "ru"), BotUttered("Здравствуйте")],
            lambda: [user("speak english", "switch", "ru"), SlotSet("lang", "en"),
                     BotUttered("Hi")],
            lambda: [user("book", "book", "en"), ask("policy_number"),
                     BotUttered("Your policy number?")],
            lambda: [user(POLICY, "book", "en", [{"entity": "policy", "value": POLICY}]),
                     SlotSet("policy_number", POLICY), SlotSet("patient_name", "Иван Петров"),
                     ask("birth_date"), BotUttered("Иван Петров, your birth date?")],
            lambda: [user("14.03.1985", "book", "en"), ask(None),
                     BotUttered("Booked for Иван Петров, policy " + POLICY)],
            lambda: [SessionStarted(), ActionExecuted("action_listen"),
                     user("again", "greet", "en"), SlotSet("lang", "ru")],
            lambda: [user("Петров Иван 7712 3456 7890 1234", "book", "ru"), BotUttered("ok")],
        ],
        # no session_started at all: every event is the latest session's
        "nostart": [
            lambda: [ActionExecuted("action_listen"), user("hi", "greet", "en")],
            lambda: [SlotSet("lang", "ru"), BotUttered("Привет")],
            lambda: [user("book", "book", "ru"), ask("policy_number")],
        ],
        # stamped out of order (a clock set back): the session's start decides, not the order
        "skewed": [
            lambda: [SessionStarted(timestamp=now), ActionExecuted("action_listen", timestamp=now),
                     user("one", "greet", "ru")],
            lambda: [BotUttered("late", timestamp=now - 50), SlotSet("lang", "en",
                                                                     timestamp=now - 40)],
            lambda: [user("two", "book", "en"), SessionStarted(timestamp=now - 30),
                     BotUttered("mid", timestamp=now - 20)],
            lambda: [user("three", "book", "en"), BotUttered("same", timestamp=now)],
        ],
    }


def rows_of(store, sender):
    events = store.SQLEvent
    with store.session_scope() as session:
        return [list(row) for row in session.query(
            events.type_name, events.timestamp, events.intent_name, events.action_name,
            events.data).filter(events.sender_id == sender).order_by(events.id).all()]


def as_dicts(tracker):
    return None if tracker is None else [event.as_dict() for event in tracker.events]


async def compare_with_rasa(url):
    """Play the same turns into the city store (sender "city-X") and Rasa's masked save
    ("rasa-X"), each reading its tracker back before the next turn as Rasa does; then compare
    what is stored and what Rasa's own store reads back of the city store's conversations."""
    city_tracker_store.INSERT_ROWS = 3  # a save of 4 or more events takes several INSERTs
    city = CityTrackerStore(domain=DOMAIN, host=url, session_ttl_min=60)
    rasa = MaskedRasaStore(domain=DOMAIN, host=url)
    plain = SQLTrackerStore(domain=DOMAIN, host=url)
    found = {"dialect": city.engine.dialect.name, "conversations": {}}
    for name, turns in dialogues(time.time()).items():
        ours, theirs = f"city-{name}", f"rasa-{name}"
        city_tracker = DialogueStateTracker(ours, DOMAIN.slots)
        rasa_tracker = DialogueStateTracker(theirs, DOMAIN.slots)
        previous = []
        for make in turns:
            previous.append([city.previous_turn(ours), previous_turn(await plain.retrieve(ours))])
            for event in make():
                city_tracker.update(event)
                rasa_tracker.update(event)
            await city.save(city_tracker)
            await rasa.save(rasa_tracker)
            city_tracker = await city.retrieve(ours)
            rasa_tracker = await plain.retrieve(theirs)
        found["conversations"][name] = {
            "rows": [rows_of(city, ours), rows_of(rasa, theirs)],
            "latest": [as_dicts(await city.retrieve(ours)), as_dicts(await plain.retrieve(ours))],
            "all": [as_dicts(await city.retrieve_full_tracker(ours)),
                    as_dicts(await plain.retrieve_full_tracker(ours))],
            "previous": previous,
        }
    found["unknown"] = [await city.retrieve("nobody"), await city.retrieve_full_tracker("nobody"),
                        city.previous_turn("nobody")]
    found["turn_statements"] = await statements_of_a_turn(city, "city-talk")
    return found


async def statements_of_a_turn(store, sender):
    """What the store sends the database in a turn (previous turn, tracker, save): whether
    each statement is driver SQL (no compiled SQLAlchemy construct behind it), its first word."""
    import sqlalchemy as sa
    seen = []
    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append([context.compiled is None, statement.split()[0]])
    sa.event.listen(store.engine, "before_cursor_execute", record)
    store._purged_at = time.monotonic()  # not the minute's purge of idle conversations
    store.previous_turn(sender)
    tracker = await store.retrieve(sender)
    tracker.update(user("one more", "greet", "ru"))
    await store.save(tracker)
    sa.event.remove(store.engine, "before_cursor_execute", record)
    return seen


async def compare_only(url):
    print(json.dumps(await compare_with_rasa(url)))


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


if sys.argv[1] == "--compare":
    asyncio.run(compare_only(sys.argv[2]))
else:
    asyncio.run(main(sys.argv[1]))
'''


def run_script(tmp: Path, *args: str) -> dict:
    """The script's findings, run with Rasa's Python, the store's folder on its path."""
    python = RASA_VENV / "bin" / "python"
    assert python.exists(), f"{python} is missing: run ./manage.sh setup to create Rasa's env"
    script = tmp / "store_reads.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(NLU_DIR), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([str(python), str(script), *args], cwd=NLU_DIR,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("store-reads")
    return run_script(tmp, str(tmp / "tracker.db"))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; Rasa's environment reaches it through psycopg2."""
    pg = TempPostgres("tracker")
    try:
        pg.start()
    except PostgresUnavailable as exc:
        pg.stop()
        pytest.fail(str(exc))
    try:
        yield f"postgresql://postgres@127.0.0.1:{pg.port}/tracker"
    finally:
        pg.stop()


@pytest.fixture(scope="module")
def on_postgres(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> dict:
    return run_script(tmp_path_factory.mktemp("store-reads-pg"), "--compare", postgres_url)


def assert_same_as_rasa(found: dict, dialect: str) -> None:
    assert found["dialect"] == dialect
    conversations = found["conversations"]
    assert set(conversations) == {"talk", "nostart", "skewed"}
    for name, seen in conversations.items():
        ours, rasa = seen["rows"]
        assert len(ours) == len(rasa) and ours, name
        for number, (our_row, rasa_row) in enumerate(zip(ours, rasa, strict=True)):
            assert our_row == rasa_row, f"{name}, row {number}"
        for scope in ("latest", "all"):
            ours, rasa = seen[scope]
            assert ours is not None and ours == rasa, f"{name}, {scope}: {ours} != {rasa}"
        for number, (our_answer, whole) in enumerate(seen["previous"]):
            assert our_answer == whole, f"{name}, before turn {number + 1}"
    talk = conversations["talk"]
    stored = json.dumps(talk["rows"][0], ensure_ascii=False)
    assert POLICY_DIGITS not in stored and "1985" not in stored  # masked as Rasa's save + masking
    assert len(talk["all"][0]) > len(talk["latest"][0])  # two sessions
    assert talk["latest"][0][0]["event"] == "session_started"
    nostart = conversations["nostart"]
    assert nostart["latest"][0] == nostart["all"][0] and len(nostart["all"][0]) == 6
    skewed = conversations["skewed"]
    # the events stamped before the latest session_started are not the latest session's
    assert len(skewed["latest"][0]) < len(skewed["all"][0])
    assert "late" not in [e.get("text") for e in skewed["latest"][0]]
    assert found["unknown"] == [None, None, [None, None]]
    # a turn: four statements compiled when the store started, run as the driver's SQL
    assert found["turn_statements"] == [
        [True, "SELECT"], [True, "SELECT"], [True, "SELECT"], [True, "INSERT"]]


POLICY_DIGITS = "7712345678901234"


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


def test_the_store_reads_and_writes_what_rasa_does_on_sqlite(result: dict) -> None:
    assert_same_as_rasa(result["rasa"], "sqlite")


def test_the_store_reads_and_writes_what_rasa_does_on_postgresql(on_postgres: dict) -> None:
    assert_same_as_rasa(on_postgres, "postgresql")
