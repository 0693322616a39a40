"""Calls placed through Asterisk's manager interface (AMI) with panoramisk.

`Dialer.call()` sends `Originate` (async) for the patient's number into the reminder context of
the dialplan, with the call's UUID in the channel variable `GOROD_CALL_UUID` (the context hands
the answered call to the gateway: `AudioSocket(${GOROD_CALL_UUID},<gateway>:9092)`,
docs/reminder-calls.md), then follows it: Asterisk's `OriginateResponse` says whether the patient
answered; an answered call is followed to its `Hangup` (at most `call_limit_s`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from panoramisk import Manager

log = logging.getLogger(__name__)

CallResult = Literal["answered", "no_answer", "failed"]
# OriginateResponse `Reason` (Asterisk's AST_CONTROL_*): 0 no such channel, 1 hung up while
# ringing, 3 ringing too long, 4 answered, 5 busy, 8 congestion
NOT_ANSWERED = frozenset({"1", "3", "5"})


class AmiError(RuntimeError):
    """No manager connection, or the login was refused."""


@dataclass
class Dialer:
    host: str
    port: int
    username: str
    secret: str
    connect_timeout_s: float = 10.0
    hangups: set[str] = field(default_factory=set)
    _hung_up: asyncio.Event = field(default_factory=asyncio.Event)
    _manager: Manager | None = None

    async def __aenter__(self) -> Dialer:
        loop = asyncio.get_running_loop()
        logged_in: asyncio.Future[bool] = loop.create_future()

        def on_login(manager: Manager) -> None:
            if not logged_in.done():
                logged_in.set_result(True)

        manager = Manager(loop=loop, host=self.host, port=self.port, username=self.username,
                          secret=self.secret, on_login=on_login, ping_delay=3600,
                          reconnect_timeout=3600)
        manager.register_event("Hangup", self._on_hangup)
        self._manager = manager
        try:
            await asyncio.wait_for(manager.connect(), self.connect_timeout_s)
            await asyncio.wait_for(asyncio.shield(logged_in), self.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            manager.close()
            why = str(exc) or f"no login within {self.connect_timeout_s:.0f} s"
            raise AmiError(f"no AMI login at {self.host}:{self.port} ({why}): check "
                           "reminders.ami_username / ami_secret and manager.conf") from exc
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._manager is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._manager.send_action({"Action": "Logoff"}), 2.0)
            self._manager.close()

    def _on_hangup(self, manager: Manager, event: Any) -> None:
        self.hangups.add(str(event.get("Uniqueid", "")))
        self._hung_up.set()

    async def call(self, *, channel: str, context: str, caller_id: str, call_id: str,
                   lang: str, ring_timeout_s: int, call_limit_s: int) -> CallResult:
        """Place one call and follow it to its end."""
        assert self._manager is not None, "use `async with Dialer(...)`"
        action = {"Action": "Originate", "Channel": channel, "Context": context, "Exten": "s",
                  "Priority": "1", "CallerID": caller_id, "Async": "true",
                  "Timeout": str(ring_timeout_s * 1000),
                  "Variable": [f"GOROD_CALL_UUID={call_id}", f"GOROD_LANG={lang}"]}
        try:
            answer = await asyncio.wait_for(self._manager.send_action(action),
                                            ring_timeout_s + 30)
        except TimeoutError:
            log.warning("call %s: Asterisk never said how the call went", call_id)
            return "failed"
        messages = answer if isinstance(answer, list) else [answer]
        result = next((m for m in messages if m.get("Event") == "OriginateResponse"), None)
        if result is None:
            log.warning("call %s: Originate refused: %s", call_id, messages[0].get("Message"))
            return "failed"
        if result.get("Response") != "Success":
            reason = str(result.get("Reason", ""))
            return "no_answer" if reason in NOT_ANSWERED else "failed"
        await self._until_hangup(str(result.get("Uniqueid", "")), call_limit_s)
        return "answered"

    async def _until_hangup(self, unique_id: str, limit_s: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_s
        while unique_id not in self.hangups:
            left = deadline - loop.time()
            if left <= 0:
                log.warning("call %s still going after %d s; its outcome is taken as it stands",
                            unique_id, limit_s)
                return
            self._hung_up.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hung_up.wait(), left)
