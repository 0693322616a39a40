"""Admission control and graceful drain: the gateway's real-time ASR capacity (issue 12, item 4).

Every voice call holds one place for its whole length: an AudioSocket call, a `/v1/voice` or
`/v1/audio-fork` session, a `/v1/asr` stream. Text turns (`/v1/text`) decode no audio and hold
none. `asr.max_streams` is the number of places (0: two per CPU core, the measured figure of
README "Measured figures": 4 streams keep real time on 2 cores). A call over capacity is refused
at once instead of slowing every call: the phone hears the "lines-busy" line and a hangup, a
WebSocket gets HTTP 503 with `Retry-After: gateway.retry_after_s` before the upgrade.

Drain (SIGTERM, see `assistant.gateway.server.DrainingServer`): every new call is refused as
above, `/healthz` answers 503 `draining`, the calls in progress go on until they end or until
`gateway.drain_s` has passed; then each one left is ended politely (the phone hears the
"gateway-closing" line, a WebSocket gets its end event and close code 1001).

The deadline ends a call by cancelling the task that serves it; the channel tells that cancel
from any other with `Ticket.absorb()` and says goodbye instead of vanishing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Literal

from assistant.settings import Settings

log = logging.getLogger(__name__)

Refusal = Literal["busy", "draining"]
STREAMS_PER_CORE = 2
TRY_AGAIN_LATER = 1013  # WebSocket close code: the server is overloaded, try again later
GOING_AWAY = 1001       # WebSocket close code: the server is going down


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_capacity() -> int:
    return STREAMS_PER_CORE * cpu_cores()


class Ticket:
    """One admitted call: its place is given back by `release()` (or leaving `Admission.hold`)."""

    def __init__(self, admission: Admission, what: str) -> None:
        self.admission = admission
        self.what = what
        self.task = asyncio.current_task()
        self.ended = False  # the drain deadline ended this call
        self.released = False

    def end(self) -> None:
        """The drain deadline: interrupt the call; its channel says goodbye (`absorb`)."""
        if self.ended or self.released:
            return
        self.ended = True
        if self.task is not None:
            self.task.cancel("gateway draining")

    def absorb(self) -> bool:
        """In `except CancelledError`: True (and the cancel is taken back) when it was the drain
        deadline's, so the channel may still say goodbye; False for any other cancel."""
        if not self.ended or self.task is None:
            return False
        if self.task.cancelling():
            self.task.uncancel()
        return True

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.admission._release(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Admission:
    """The places of one gateway process. Used from its event loop only."""

    def __init__(self, capacity: int, retry_after_s: int = 5, drain_s: float = 30.0) -> None:
        self.capacity = max(1, capacity)
        self.retry_after_s = retry_after_s
        self.drain_s = drain_s
        self.draining = False
        self.refused = 0
        self._held: set[Ticket] = set()
        self._changed: asyncio.Event | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        capacity = settings.asr.max_streams or default_capacity()
        return cls(capacity, settings.gateway.retry_after_s, settings.gateway.drain_s)

    @property
    def active(self) -> int:
        return len(self._held)

    def refusal(self) -> Refusal | None:
        """Why a new call would be refused now, or None."""
        if self.draining:
            return "draining"
        if len(self._held) >= self.capacity:
            return "busy"
        return None

    def admit(self, what: str) -> Ticket | None:
        """A place for a new call, or None (refused: see `refusal()` for why)."""
        why = self.refusal()
        if why is not None:
            self.refused += 1
            log.warning("refused %s: %s (%d of %d places in use; asr.max_streams)", what,
                        "the gateway is draining" if why == "draining" else "over capacity",
                        len(self._held), self.capacity)
            return None
        ticket = Ticket(self, what)
        self._held.add(ticket)
        return ticket

    def retry_hint(self) -> str:
        return f"try again later: retry after {self.retry_after_s} s"

    def _release(self, ticket: Ticket) -> None:
        self._held.discard(ticket)
        if self._changed is not None:
            self._changed.set()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no call holds a place, at most `timeout` seconds; True when idle."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._held:
            left = deadline - loop.time()
            if left <= 0:
                return False
            self._changed = asyncio.Event()
            try:
                async with asyncio.timeout(min(left, 0.5)):
                    await self._changed.wait()
            except TimeoutError:
                pass
        return True

    async def drain(self, grace_s: float = 5.0) -> None:
        """Refuse new calls, let the calls in progress finish within `drain_s`, then end the
        rest politely and give them `grace_s` to say goodbye."""
        self.draining = True
        log.info("draining: %d call(s) in progress; new calls are refused; deadline %g s",
                 self.active, self.drain_s)
        if await self.wait_idle(self.drain_s):
            log.info("drained: no call in progress")
            return
        log.warning("drain deadline: ending %d call(s) still in progress", self.active)
        for ticket in list(self._held):
            ticket.end()
        if not await self.wait_idle(grace_s):
            log.warning("%d call(s) did not end within %g s of the drain deadline",
                        self.active, grace_s)
