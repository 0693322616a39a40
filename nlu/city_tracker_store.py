"""Rasa's tracker store for the city assistant: SQLTrackerStore, with a lifetime and loud errors.

Configured in endpoints.yml (`type: city_tracker_store.CityTrackerStore`); `assistant up` passes
the database URL (TRACKER_STORE_URL: SQLite under var/ by default, PostgreSQL by URL) and the
conversations' lifetime (TRACKER_SESSION_TTL_MIN, config.yml `dialogue.session_ttl_min`).

- Conversations survive a restart of Rasa: a half-filled form is resumed.
- Conversations expire: the lifetime replaces the model's `session_config.session_expiration_time`
  (nlu/domain.yml), so an idle conversation starts afresh, and the stored events of a conversation
  idle for longer than the lifetime are deleted (at start, then at most once a minute).
- Rasa wraps every tracker store in a FailSafeTrackerStore, which falls back to memory without a
  word when the database fails. Here every failure is logged at CRITICAL and remembered, and
  `GET /healthz` (health_channel.py) answers 503 until a later write succeeds. It also answers
  503 when Rasa is not using this store at all (a bad endpoints.yml falls back to memory too).
- Personal data is masked before it is stored (tracker_privacy.py): user and bot text, the
  personal slots. Rasa keeps no other copy: each turn reads the tracker back from here, works on
  it in memory (NLU and the actions see the turn's text in full) and saves the new events; the
  lock store holds locks only. Rows stored before masking existed are masked at start. Not
  covered: an event broker (none is configured) would get the events unmasked, and the
  FailSafeTrackerStore's in-memory fallback holds them unmasked while the database is down.

Cost of a turn (issue 12, performance): Rasa reads the whole tracker once (replaying its events)
and saves the new events once. The city channel does not read it again: what it needs before
the turn (the previous user message's metadata and a language switch after it) comes from the
few rows that hold it (`previous_turn`), and the interpretation of the turn is the masked user
event this save wrote (`latest_parse`), the same data a read-back would give. These reads and
the save run statements compiled once per store for its database (SQLite or PostgreSQL) as the
driver's own SQL on a pooled connection: no ORM session, query building or SQLAlchemy cache key
per turn. They select exactly what Rasa's `SQLTrackerStore._event_query` does. SQLite keeps its
connections open (a pool, not one open per query) in WAL mode with `synchronous=NORMAL`: a
commit writes the log without waiting for the disk; a crash of Rasa loses nothing, a power cut
may lose the last turns (PostgreSQL, by URL, for more).
"""

import json
import logging
import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain, SessionConfig
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from tracker_privacy import mask_events

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 60.0
LATEST_KEPT = 1024  # interpretations saved but not yet read by the channel (bounded)
INSERT_ROWS = 100  # rows of one INSERT statement (6 parameters each: old SQLite allows 999)
_failure: dict[str, Optional[str]] = {"error": None}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _pooled_sqlite(engine: sa.engine.Engine) -> sa.engine.Engine:
    """SQLAlchemy 1.4 opens a file-based SQLite database anew for every session (NullPool): keep
    a few connections open instead, in WAL mode. Rasa uses them from its event loop only."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    engine.dispose()
    pooled = sa.create_engine(engine.url, poolclass=sa.pool.QueuePool, pool_size=4,
                              connect_args={"check_same_thread": False})
    sa.event.listen(pooled, "connect", _sqlite_pragmas)
    return pooled


_EVENT_TYPES: Dict[Text, Any] = {}


def _event_type(type_name: Optional[Text]) -> Any:
    """Event.resolve_by_type without its walk over every subclass of Event for every event
    (most of the time of rebuilding a tracker): the same first match, looked up once."""
    if not _EVENT_TYPES:
        for cls in all_subclasses(Event):
            _EVENT_TYPES.setdefault(cls.type_name, cls)
    return _EVENT_TYPES.get(type_name or "")


def deserialise_events(stored: List[Dict[Text, Any]]) -> List[Event]:
    """rasa.shared.core.events.deserialise_events, with the event classes looked up once (an
    unknown name goes to Rasa's own lookup, which knows what was imported since)."""
    events: List[Event] = []
    for data in stored:
        if "event" not in data:
            continue
        cls = _event_type(data["event"])
        event = cls._from_parameters(data) if cls is not None else Event.from_parameters(data)
        if event:
            events.append(event)
    return events


def _light(event: Event) -> Dict[Text, Any]:
    """What masking reads of an event already stored (what was asked, the patient's names)."""
    if isinstance(event, (SlotSet, SessionStarted)):
        return event.as_dict()
    return {"event": event.type_name}


def _prepare_sqlite(url: Optional[Text]) -> None:
    """The folder of a SQLite database, and the file readable by its owner only."""
    if not url or not url.startswith("sqlite:///"):
        return
    path = Path(url[len("sqlite:///"):])
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class Prepared:
    """A statement compiled once for a dialect and run as the driver's own SQL (exec_driver_sql):
    no compilation, cache key or ORM work when it runs. Its constants stay bound parameters."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._fixed: Dict[str, Any] = dict(compiled.params)
        self._order = list(compiled.positiontup) if dialect.positional else None

    def params(self, values: Dict[str, Any]) -> Any:
        merged = {**self._fixed, **values}
        return tuple(merged[name] for name in self._order) if self._order is not None else merged

    def run(self, connection: Any, **values: Any) -> Any:
        return connection.exec_driver_sql(self.sql, self.params(values))


class EventStatements:
    """The statements of a turn on Rasa's `events` table. `latest` is the condition of Rasa's
    `SQLTrackerStore._event_query(fetch_events_from_all_sessions=False)`: the sender's events
    stamped at or after its latest `session_started`, or all of them when it has none."""

    COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")

    def __init__(self, events: sa.Table, dialect: Any) -> None:
        c = events.c
        sender = c.sender_id == sa.bindparam("sender_id", None, type_=sa.String)
        start = (sa.select(sa.func.max(c.timestamp).label("session_start"))
                 .where(sender, c.type_name == SessionStarted.type_name).subquery())
        mine = sa.and_(sender, sa.or_(c.timestamp >= start.c.session_start,
                                      start.c.session_start.is_(None)))
        lang = sa.or_(c.type_name == UserUttered.type_name,
                      sa.and_(c.type_name == SlotSet.type_name, c.action_name == "lang"))
        self.count_latest = Prepared(sa.select(sa.func.count()).select_from(events)
                                     .where(mine), dialect)
        self.latest = Prepared(sa.select(c.data).where(mine).order_by(c.id), dialect)
        self.all_sessions = Prepared(sa.select(c.data).where(sender).order_by(c.id), dialect)
        self.user_and_lang = Prepared(sa.select(c.type_name, c.data).where(mine, lang)
                                      .order_by(c.id.desc()), dialect)
        self._events, self._dialect = events, dialect
        self._inserts: Dict[int, Prepared] = {}

    def insert(self, connection: Any, rows: List[Dict[str, Any]]) -> None:
        """Insert `rows` (COLUMNS) with one multi-row INSERT per INSERT_ROWS rows: one round
        trip where an executemany makes one per row (psycopg2). Compiled once per row count."""
        for first in range(0, len(rows), INSERT_ROWS):
            chunk = rows[first:first + INSERT_ROWS]
            prepared = self._inserts.get(len(chunk))
            if prepared is None:
                c = self._events.c
                values = [{name: sa.bindparam(f"{name}_{index}", None, type_=c[name].type)
                           for name in self.COLUMNS} for index in range(len(chunk))]
                prepared = Prepared(self._events.insert().inline().values(values), self._dialect)
                self._inserts[len(chunk)] = prepared
            prepared.run(connection, **{f"{name}_{index}": value
                                        for index, row in enumerate(chunk)
                                        for name, value in row.items()})


class CityTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None,
                 session_ttl_min: Any = 60, **kwargs: Any) -> None:
        _prepare_sqlite(host)
        self.ttl_min = float(session_ttl_min)
        self._purged_at = 0.0
        self._latest: "OrderedDict[Text, Dict[Text, Any]]" = OrderedDict()
        super().__init__(domain=domain, host=host, **kwargs)
        self.engine = _pooled_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.statements = EventStatements(self.SQLEvent.__table__, self.engine.dialect)
        self._apply_ttl(self._domain)
        logger.info("tracker store: %s, conversations expire after %g min",
                    self.engine.url.get_backend_name(), self.ttl_min)
        self.purge_expired()
        self.mask_stored()

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._domain = domain or Domain.empty()
        self._apply_ttl(self._domain)

    def _apply_ttl(self, domain: Domain) -> None:
        carry = domain.session_config.carry_over_slots
        domain.session_config = SessionConfig(self.ttl_min, carry)

    def purge_expired(self) -> int:
        """Delete every event of the conversations idle for longer than the lifetime."""
        if self.ttl_min <= 0:
            return 0
        self._purged_at = time.monotonic()
        cutoff = time.time() - 60.0 * self.ttl_min
        events = self.SQLEvent.__table__
        idle = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < cutoff))
        with self.session_scope() as session:
            deleted = session.execute(
                events.delete().where(events.c.sender_id.in_(idle.scalar_subquery()))).rowcount
            session.commit()
        if deleted:
            self._latest.clear()
            logger.info("deleted %d events of conversations idle for over %g min",
                        deleted, self.ttl_min)
        return int(deleted or 0)

    def mask_stored(self) -> int:
        """Mask the events stored before masking existed (idempotent: masked data stays)."""
        changed = 0
        with self.session_scope() as session:
            rows = session.query(self.SQLEvent).order_by(self.SQLEvent.sender_id,
                                                         self.SQLEvent.id).all()
            by_sender: dict[str, list[Any]] = {}
            for row in rows:
                by_sender.setdefault(row.sender_id, []).append(row)
            for sender_rows in by_sender.values():
                events = [json.loads(row.data) for row in sender_rows]
                for row, masked in zip(sender_rows, mask_events(events), strict=True):
                    data = json.dumps(masked)
                    if data != row.data:
                        row.data, changed = data, changed + 1
            session.commit()
        if changed:
            logger.info("masked personal data in %d stored events", changed)
        return changed

    async def _save_masked(self, tracker: DialogueStateTracker) -> None:
        """SQLTrackerStore.save, with each new event masked before it is written."""
        await self.stream_events(tracker)
        sender_id, events = tracker.sender_id, list(tracker.events)
        with self.engine.begin() as connection:
            stored = self.statements.count_latest.run(connection, sender_id=sender_id).scalar()
            if stored >= len(events):
                return
            masked = mask_events([_light(event) for event in events[:stored]]
                                 + [event.as_dict() for event in events[stored:]], stored)
            self.statements.insert(connection, [{
                "sender_id": sender_id, "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get("name"),
                "action_name": data.get("name"), "data": json.dumps(data),
            } for event, data in zip(events[stored:], masked, strict=True)])
        self._remember_latest(sender_id, masked)

    def _remember_latest(self, sender_id: Text, saved: List[Dict[Text, Any]]) -> None:
        """Keep the parse data of the latest user event stored (masked), as a read-back of the
        tracker would find it: a save without a user turn leaves it, a new session forgets it."""
        for data in saved:
            if data.get("event") == UserUttered.type_name:
                self._latest[sender_id] = data.get("parse_data") or {}
                self._latest.move_to_end(sender_id)
            elif data.get("event") == SessionStarted.type_name:
                self._latest.pop(sender_id, None)
        while len(self._latest) > LATEST_KEPT:
            self._latest.popitem(last=False)

    def latest_parse(self, sender_id: Text) -> Optional[Dict[Text, Any]]:
        """The stored (masked) parse data of the latest user turn of `sender_id` that a save of
        this process wrote, once; None when there is none to give (read the tracker then)."""
        return self._latest.pop(sender_id, None)

    def previous_turn(self, sender_id: Text) -> Tuple[Optional[Dict[Text, Any]], Any]:
        """(metadata of the last user message, `lang` set by a slot event after it) in the
        latest session: city_channel.previous_turn of the stored tracker, from the rows of user
        turns and `lang` slots only, newest first, without rebuilding the tracker."""
        switched = None
        with self.engine.connect() as connection:
            rows = self.statements.user_and_lang.run(connection, sender_id=sender_id)
            try:
                for type_name, data in rows:
                    event = json.loads(data)
                    if type_name == UserUttered.type_name:
                        return dict(event.get("metadata") or {}), switched
                    if switched is None:
                        switched = event.get("value")
            finally:
                rows.close()
        return None, switched

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save_masked(tracker)
            if time.monotonic() - self._purged_at > PURGE_EVERY_S:
                self.purge_expired()
        except Exception as exc:
            _failed("save", exc)
            raise
        _failure["error"] = None

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        """SQLTrackerStore._retrieve, reading the `data` column only (no ORM object per row) and
        rebuilding the events with the lookup of `deserialise_events`."""
        statement = (self.statements.all_sessions if fetch_events_from_all_sessions
                     else self.statements.latest)
        with self.engine.connect() as connection:
            rows = statement.run(connection, sender_id=sender_id).fetchall()
        if not self.domain or not rows:
            return None
        events = deserialise_events([json.loads(data) for (data,) in rows])
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve(sender_id)
        except Exception as exc:
            _failed("read", exc)
            raise

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as exc:
            _failed("read", exc)
            raise


def _failed(what: str, exc: Exception) -> None:
    _failure["error"] = f"{what}: {type(exc).__name__}"
    logger.critical("TRACKER STORE FAILED (%s): %s. Rasa falls back to memory: conversations are "
                    "not persisted and are lost on restart; /healthz answers 503", what, exc)


def healthy_store(store: Any) -> Optional[CityTrackerStore]:
    """The CityTrackerStore behind Rasa's wrapper while it works (None otherwise: then only the
    wrapper's own reads, which fall back to memory, tell the truth)."""
    inner = store._tracker_store if isinstance(store, FailSafeTrackerStore) else store
    if isinstance(inner, CityTrackerStore) and _failure["error"] is None:
        return inner
    return None


def problem(agent: Any) -> Optional[str]:
    """Why conversations are not being persisted, or None when they are."""
    store = getattr(agent, "tracker_store", None)
    inner = store._tracker_store if isinstance(store, FailSafeTrackerStore) else store
    if not isinstance(inner, CityTrackerStore):
        return f"the tracker store is {type(inner).__name__}, not CityTrackerStore (endpoints.yml)"
    return _failure["error"]
