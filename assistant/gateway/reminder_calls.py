"""Reminder calls on the phone channel: a call the assistant placed opens with the reminder.

`assistant reminders run` (assistant/cli/reminders.py) takes a one-time ticket from the city for
the visit; the ticket is the call's UUID, a version-8 UUID with 122 random bits
(cityservices/services/reminders.py). Asterisk, asked over AMI to call the patient, connects the
answered call to the AudioSocket server with that UUID (docs/reminder-calls.md). Incoming calls
get Asterisk's own `UUID()`, version 4, so a version-8 UUID marks a reminder call: its first turn
is not the greeting but the trigger `/reminder_call{"reminder_ticket": "<uuid>"}`, sent by the
gateway itself (`DialogueClient.send_trigger`; a caller's text can never be a trigger). The
action server redeems the ticket (actions/reminder.py) and speaks in the patient's language; a
spent or forged one hears only that the reminder is no longer valid. Nothing is registered
anywhere, so any gateway replica takes any reminder call.

On such a call a single key is an answer at once (no `#`): 1 confirm, 2 cancel, 3 reschedule;
to a yes/no question 1 is the first phrase offered ("да"), 2 the second ("нет"); to a list, the
option's number. A question that waits for a number (a policy) keeps the usual keypad entry.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from assistant.gateway.wire import Reply

if TYPE_CHECKING:
    from assistant.gateway.channels.call import Call, Item

log = logging.getLogger(__name__)

TRIGGER = "reminder_call"
REMINDER_UUID_VERSION = 8
ONE_KEY_SLOTS = frozenset({"reminder_choice", "slot_choice", "yes_no"})


def reminder_call(call_id: str) -> ReminderCall | None:
    """The reminder side of a phone call whose UUID marks it as one the assistant placed."""
    try:
        placed = uuid.UUID(call_id).version == REMINDER_UUID_VERSION
    except ValueError:
        return None
    return ReminderCall(call_id) if placed else None


class ReminderCall:
    """The gateway's side of one reminder call: its opening turn and its keys."""

    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        self.expect: dict[str, Any] = {}

    async def open(self, call: Call) -> list[Item]:
        log.info("call %s is a reminder call", call.call_id)
        events = await call.conv.open_with(TRIGGER, {"reminder_ticket": self.call_id})
        items = await call.translate(events)
        self.observe(items)
        return items

    def observe(self, items: list[Item]) -> None:
        """Remember the question just asked (the reply's `expect` event)."""
        for item in items:
            if isinstance(item, Reply):
                asked = [e for e in item.events if e.get("type") == "expect"]
                self.expect = asked[-1] if asked else {}

    def key(self, digit: str) -> str | None:
        """The turn one key stands for, or None (the key goes on into a keypad entry)."""
        if not digit.isdigit() or self.expect.get("slot") not in ONE_KEY_SLOTS:
            return None
        phrases = [str(p) for p in self.expect.get("phrases") or []]
        if self.expect.get("slot") == "yes_no" and digit in ("1", "2") and len(phrases) >= 2:
            return phrases[int(digit) - 1]
        return digit
