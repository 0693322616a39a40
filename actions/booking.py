"""The booking form's validator: extracts every answer, counts failures, books after a yes."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import ClientFactory, Reply, entity, intent_name, turn_lang, user_text
from actions.booking_steps import ORDER, STEPS, YES, next_slot
from actions.city_client import CityClient
from actions.parsing import canonical_specialty, parse_date
from actions.task_actions import guarded_task

logger = logging.getLogger(__name__)

MAX_FAILS = 3
DIGRESSIONS = {
    "troika_balance", "kindergarten_queue_status", "transport_arrivals", "traffic_status",
    "wifi_nearby", "request_status", "list_appointments", "greet", "thank", "help", "repeat",
    "switch_language", "stop", "human_handoff", "goodbye", "cancel_appointment",
    "reschedule_appointment", "report_problem",
}

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
        if requested is None:
            events = self._on_activation(tracker, values)
        else:
            answered = await self._answer(requested, tracker, reply, values)
            if answered is None:  # a digression: let the rules answer it, then resume
                return []
            events = answered
        for event in events:
            if isinstance(event, dict) and event.get("event") == "slot":
                values[event["name"]] = event["value"]
        return [*events, *reply.remember(), *self._next(values, tracker)]

    def _on_activation(self, tracker: Tracker, values: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        events: list[EventType] = [SlotSet("task", "book_appointment"), SlotSet("failures", {}),
                                   SlotSet("booking_ref", None), SlotSet("confirm", None),
                                   SlotSet("slot_choice", None), SlotSet("offered_slots", None)]
        values.update(confirm=None, slot_choice=None, offered_slots=None)
        if values.get("patient_token") is None and tracker.get_slot("patient_token"):
            values["policy_number"] = tracker.get_slot("policy_number")
        specialty = canonical_specialty(entity(tracker, "specialty")) or canonical_specialty(text)
        if specialty:
            events.append(SlotSet("specialty", specialty))
        wanted = parse_date(text, turn_lang(tracker)) if specialty else None
        if wanted:
            events.append(SlotSet("date_pref", wanted.isoformat()))
        return events

    def _next(self, values: dict[str, Any], tracker: Tracker) -> list[EventType]:
        failures = values.get("_failures") or tracker.get_slot("failures") or {}
        if any(int(n) >= MAX_FAILS for n in failures.values()) or values.get("_stop"):
            return [SlotSet("requested_slot", None)]
        return [SlotSet("requested_slot", next_slot(values))]

    async def _answer(
        self, requested: str, tracker: Tracker, reply: Reply, values: dict[str, Any]
    ) -> list[EventType] | None:
        text = user_text(tracker)
        intent = intent_name(tracker)
        state = tracker.get_slot("pending")
        if (isinstance(state, dict) and state.get("kind") == "retry"
                and (intent == "affirm" or YES.match(text))):
            return [SlotSet("pending", None)]
        step = STEPS[requested]
        events = await step(self._client_factory(), tracker, reply, values, text)
        other = state if isinstance(state, dict) and state.get("kind") in ("ask", "confirm") \
            else None
        if events is None and other and other.get("task") not in (None, "booking_form"):
            # the answer to a digression's own question (a Troika number mid-booking)
            return await guarded_task(str(other["task"]), reply, tracker, self._client_factory(),
                                      answer=text, state=other)
        if events is None and intent in DIGRESSIONS:
            return None
        if events is None:  # not understood: count it; the ask action explains / offers operator
            failures = dict(tracker.get_slot("failures") or {})
            failures[requested] = int(failures.get(requested, 0)) + 1
            values["_failures"] = failures
            logger.info("booking: answer for %s not understood (%d)", requested,
                        failures[requested])
            return [SlotSet("failures", failures)]
        return events
