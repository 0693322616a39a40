"""The booking form's validator: extracts every answer, counts failures, books after a yes."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import clock
from actions.base import ClientFactory, Reply, entity, intent_name, turn_lang, user_text
from actions.booking_ask import fail_count
from actions.booking_extract import SLOT_KIND, apply_details, read_details
from actions.booking_steps import ORDER, STEPS, next_slot
from actions.city_client import CityClient
from actions.parsing import canonical_specialty
from actions.registry import form_interruptions
from actions.repair import repair_turn, yes_no
from actions.task_actions import guarded_task
from actions.tasks import pending

logger = logging.getLogger(__name__)

MAX_FAILS = 3
# intents answered by their own rule mid-form (the registry's digress / leave)
DIGRESSIONS = form_interruptions()


def _asked_this_turn(tracker: Tracker) -> bool:
    """The pending question was asked after the caller's last turn (by a digression's action):
    that turn started the digression and is no answer to it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "pending":
            return True
    return False


class ValidateBookingForm(FormValidationAction):
    def __init__(self, client_factory: ClientFactory | None = None) -> None:
        self._client_factory: ClientFactory = client_factory or CityClient

    def name(self) -> str:
        return "validate_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        reply = Reply(dispatcher, turn_lang(tracker))
        values = {s: tracker.get_slot(s) for s in ORDER}
        values["offered_slots"] = tracker.get_slot("offered_slots")
        values["time_pref"] = tracker.get_slot("time_pref")
        if requested is None:
            events = self._on_activation(tracker, values, reply)
        else:
            answered = await self._answer(requested, tracker, reply, values)
            if answered is None:  # a digression: let the rules answer it, then resume
                return []
            events = answered
        for event in events:
            if isinstance(event, dict) and event.get("event") == "slot":
                values[event["name"]] = event["value"]
        return [*events, *reply.remember(), *self._next(values, tracker)]

    def _on_activation(
        self, tracker: Tracker, values: dict[str, Any], reply: Reply
    ) -> list[EventType]:
        """The first turn ("к лору на четверг после обеда"): every detail it carries is kept."""
        text, lang = user_text(tracker), turn_lang(tracker)
        events: list[EventType] = [SlotSet("task", "book_appointment"), SlotSet("failures", {}),
                                   SlotSet("booking_ref", None), SlotSet("confirm", None),
                                   SlotSet("slot_choice", None), SlotSet("offered_slots", None),
                                   SlotSet("time_pref", None)]
        values.update(confirm=None, slot_choice=None, offered_slots=None, time_pref=None)
        if values.get("patient_token") is None and tracker.get_slot("patient_token"):
            values["policy_number"] = tracker.get_slot("policy_number")
        details = read_details(text, lang, clock.today(), None)
        named = canonical_specialty(entity(tracker, "specialty"))
        if details.specialty is None and named and named != details.not_specialty:
            details.specialty = named
        events += apply_details(details, values, reply, None)
        return events

    def _next(self, values: dict[str, Any], tracker: Tracker) -> list[EventType]:
        failures = values.get("_failures") or tracker.get_slot("failures") or {}
        if any(fail_count(n) >= MAX_FAILS for n in failures.values()) or values.get("_stop"):
            return [SlotSet("requested_slot", None)]
        return [SlotSet("requested_slot", next_slot(values))]

    async def _answer(
        self, requested: str, tracker: Tracker, reply: Reply, values: dict[str, Any]
    ) -> list[EventType] | None:
        text = user_text(tracker)
        intent = intent_name(tracker)
        state = pending(tracker)
        repair = repair_turn(text, reply.lang, asking_policy=requested == "policy_number")
        if repair == "drop":  # a change of mind: the form ends, action_booking_done says so
            values["_stop"] = True
            return [SlotSet("pending", None)]  # a slot set: Rasa does not reject the turn
        if repair == "dont_know_policy":  # where to find it (once); still counts: after the
            failures = dict(tracker.get_slot("failures") or {})  # third, an operator
            if not failures.get(requested):
                reply.say(repair)
            failures[requested] = fail_count(failures.get(requested)) + 1
            values["_failures"] = failures
            return [SlotSet("failures", failures)]
        if repair is not None:  # a calm word; the form asks its question again
            reply.say(repair)
            return [SlotSet(requested, values.get(requested))]
        if state and state.kind == "retry" and yes_no(text) is True:
            return [SlotSet("pending", None)]
        details = read_details(text, reply.lang, clock.today(), requested)
        values["_details"] = details
        changed = apply_details(details, values, reply, requested)
        kind = SLOT_KIND.get(requested)
        rejected = kind is not None and getattr(details, f"not_{kind}") is not None
        if changed or rejected or (details.day is not None and details.day.past):
            # understood; what is still missing is asked next (a slot set: Rasa keeps the form)
            return changed or [SlotSet(requested, values.get(requested))]
        return await self._step(requested, tracker, reply, values, text, intent)

    async def _step(
        self, requested: str, tracker: Tracker, reply: Reply, values: dict[str, Any], text: str,
        intent: str,
    ) -> list[EventType] | None:
        state = pending(tracker)
        step = STEPS[requested]
        events = await step(self._client_factory(), tracker, reply, values, text)
        if (events is None and state and state.awaits_answer and state.task != "booking_form"
                and not _asked_this_turn(tracker)):
            # the answer to a digression's own question (a Troika number mid-booking); not the
            # turn that started it, read again when the form resumes after the digression
            return await guarded_task(state.task, reply, tracker, self._client_factory(),
                                      answer=text, state=state)
        if events is None and intent in DIGRESSIONS:
            return None
        if events is None:  # not understood: count it; the ask action explains / offers operator
            failures = dict(tracker.get_slot("failures") or {})
            failures[requested] = fail_count(failures.get(requested)) + 1
            values["_failures"] = failures
            logger.info("booking: answer for %s not understood (%d)", requested,
                        failures[requested])
            return [SlotSet("failures", failures)]
        return events

