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
"""

import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain, SessionConfig
from rasa.shared.core.trackers import DialogueStateTracker
from tracker_privacy import mask_events

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 60.0
_failure: dict[str, Optional[str]] = {"error": None}


def _prepare_sqlite(url: Optional[Text]) -> None:
    """The folder of a SQLite database, and the file readable by its owner only."""
    if not url or not url.startswith("sqlite:///"):
        return
    path = Path(url[len("sqlite:///"):])
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class CityTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None,
                 session_ttl_min: Any = 60, **kwargs: Any) -> None:
        _prepare_sqlite(host)
        self.ttl_min = float(session_ttl_min)
        self._purged_at = 0.0
        super().__init__(domain=domain, host=host, **kwargs)
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
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id,
                                       fetch_events_from_all_sessions=False).count()
            events = list(tracker.events)
            masked = mask_events([event.as_dict() for event in events], stored)
            for event, data in zip(events[stored:], masked, strict=True):
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=((data.get("parse_data") or {}).get("intent") or {}).get("name"),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save_masked(tracker)
            if time.monotonic() - self._purged_at > PURGE_EVERY_S:
                self.purge_expired()
        except Exception as exc:
            _failed("save", exc)
            raise
        _failure["error"] = None

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


def problem(agent: Any) -> Optional[str]:
    """Why conversations are not being persisted, or None when they are."""
    store = getattr(agent, "tracker_store", None)
    inner = store._tracker_store if isinstance(store, FailSafeTrackerStore) else store
    if not isinstance(inner, CityTrackerStore):
        return f"the tracker store is {type(inner).__name__}, not CityTrackerStore (endpoints.yml)"
    return _failure["error"]
