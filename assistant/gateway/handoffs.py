"""The gateway's memory of handoffs: what the operator screen shows and the call route answers.

A call that the dialogue hands off is `add`ed with its masked summary (what the caller wanted,
the filled slots, the last turns), its channel, language and operator queue. The telephone
system asks `route(call_id)` where the call goes next (AudioSocket: the dialplan's `CURL` of
`/v1/calls/{uuid}/route`); the operator screen (`/operator`) gets a snapshot at once and again
at every change. Bounded: at most `MAX_HANDOFFS` are kept, none older than
`channels.handoff_keep_s`. Nothing is written to disk; a restart forgets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.settings import Settings

MAX_HANDOFFS = 200
SUBSCRIBER_QUEUE = 8  # snapshots waiting for a slow operator screen; older ones are dropped
State = Literal["waiting", "queued", "taken"]


def call_key(call_id: str) -> str:
    """A call id as stored: a UUID in its canonical lower-case form, anything else as given."""
    try:
        return str(uuid.UUID(call_id.strip()))
    except ValueError:
        return call_id.strip()


@dataclass
class HandoffRecord:
    call_id: str
    channel: str
    lang: str
    queue: str
    summary: dict[str, Any]
    last_turns: list[dict[str, str]]
    at: float = field(default_factory=time.time)  # wall clock, seconds
    state: State = "waiting"
    taken_at: float | None = None

    def to_dict(self, now: float) -> dict[str, Any]:
        waited = (self.taken_at or now) - self.at
        return {"call_id": self.call_id, "channel": self.channel, "lang": self.lang,
                "queue": self.queue, "state": self.state, "at": round(self.at, 3),
                "waited_s": round(max(0.0, waited), 1), "summary": self.summary,
                "last_turns": self.last_turns}


class HandoffRegistry:
    """In memory, one per gateway (`app.state.handoffs`); used from the event loop only."""

    def __init__(self, queue_template: str = "operators-{lang}", keep_s: float = 3600.0,
                 limit: int = MAX_HANDOFFS) -> None:
        self.queue_template = queue_template
        self.keep_s = keep_s
        self.limit = limit
        self._items: OrderedDict[str, HandoffRecord] = OrderedDict()
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> HandoffRegistry:
        return cls(settings.channels.operator_queue, settings.channels.handoff_keep_s)

    def queue_for(self, lang: str) -> str:
        return self.queue_template.replace("{lang}", lang)

    def add(self, call_id: str, channel: str, lang: str, summary: dict[str, Any],
            last_turns: list[dict[str, str]]) -> HandoffRecord:
        """Remember a handoff (already masked); a second one of the same call replaces it."""
        key = call_key(call_id)
        self._items.pop(key, None)
        record = HandoffRecord(key, channel, lang, self.queue_for(lang), summary, last_turns,
                               at=time.time())
        self._items[key] = record
        self._prune()
        self._publish()
        return record

    def get(self, call_id: str) -> HandoffRecord | None:
        self._prune()
        return self._items.get(call_key(call_id))

    def route(self, call_id: str) -> HandoffRecord | None:
        """The telephone system asks where the call goes: the record (now `queued`), or None
        when the call was not handed off (the dialplan hangs up)."""
        record = self.get(call_id)
        if record is not None and record.state == "waiting":
            record.state = "queued"
            self._publish()
        return record

    def take(self, call_id: str) -> bool:
        """An operator took the call: its waiting time stops."""
        record = self.get(call_id)
        if record is None or record.state == "taken":
            return False
        record.state, record.taken_at = "taken", time.time()
        self._publish()
        return True

    def __iter__(self) -> Iterator[HandoffRecord]:
        self._prune()
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        self._prune()
        return len(self._items)

    def snapshot(self) -> dict[str, Any]:
        """What the operator screen shows: newest first, with the server's clock."""
        now = time.time()
        items = [r.to_dict(now) for r in reversed(list(self))]
        return {"type": "handoffs", "now": round(now, 3), "items": items}

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        """A queue of snapshots, the current one first, for as long as the `with` lasts."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_QUEUE)
        queue.put_nowait(self.snapshot())
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    def _publish(self) -> None:
        if not self._subscribers:
            return
        snapshot = self.snapshot()
        for queue in self._subscribers:
            if queue.full():  # a slow screen needs only the newest
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(snapshot)

    def _prune(self) -> None:
        oldest = time.time() - self.keep_s
        while self._items:
            first = next(iter(self._items.values()))
            if len(self._items) <= self.limit and first.at >= oldest:
                break
            self._items.popitem(last=False)
