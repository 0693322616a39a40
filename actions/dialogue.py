"""Conversation actions: greetings, help, repeat, clarify, stop, language, handoff, yes/no."""

from __future__ import annotations

import logging
from abc import ABC
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import NamedAction, Reply, intent_name, mask_text, turn_lang, user_text
from actions.messages import MESSAGES

logger = logging.getLogger(__name__)

TASK_ACTIONS: dict[str, str] = {
    "book_appointment": "booking_form",
    "cancel_appointment": "action_cancel_appointment",
    "list_appointments": "action_list_appointments",
    "reschedule_appointment": "action_reschedule_appointment",
    "kindergarten_queue_status": "action_kindergarten_status",
    "troika_balance": "action_troika_balance",
    "transport_arrivals": "action_transport_arrivals",
    "traffic_status": "action_traffic_status",
    "wifi_nearby": "action_wifi_nearby",
    "report_problem": "action_report_problem",
    "request_status": "action_request_status",
    "human_handoff": "action_handoff",
}
FORM_SLOTS = ("specialty", "date_pref", "slot_choice", "confirm", "offered_slots", "booking_ref")
PERSONAL_SLOTS = {"policy_number", "birth_date", "patient_token", "patient_name"}


class _Simple(NamedAction, ABC):
    key = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        reply.say(self.key)
        return reply.remember()


class ActionGreet(_Simple):
    key, action_name = "greet", "action_greet"


class ActionThank(_Simple):
    key, action_name = "thank", "action_thank"


class ActionHelp(_Simple):
    key, action_name = "help", "action_help"


class ActionOutOfScope(_Simple):
    key, action_name = "out_of_scope", "action_out_of_scope"


class ActionGoodbye(Action):
    def name(self) -> str:
        return "action_goodbye"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        reply.say("goodbye")
        reply.custom({"event": "end_session"})
        return [SlotSet("pending", None)]


class ActionRepeat(Action):
    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        last = tracker.get_slot("last_reply")
        if not isinstance(last, dict) or not last.get("texts"):
            Reply(dispatcher, turn_lang(tracker)).say("nothing_to_repeat")
            return []
        for text in last["texts"]:
            dispatcher.utter_message(text=text)
        return []


def clarify_guess(reply: Reply, tracker: Tracker) -> list[EventType]:
    """Low confidence and no question pending: ask about the best guess (yes/no), never act."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    guess = next((r.get("name") for r in ranking if r.get("name") in TASK_ACTIONS), None)
    if guess and f"intent_{guess}" in MESSAGES:
        reply.say("clarify", guess=MESSAGES[f"intent_{guess}"][reply.lang])
        reply.expect("yes_no", ["да", "нет"] if reply.lang == "ru" else ["yes", "no"])
        return [SlotSet("pending", {"kind": "clarify", "task": guess}), *reply.remember()]
    reply.say("clarify_open")
    return reply.remember()


def reset_task_events(tracker: Tracker) -> list[EventType]:
    return [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("pending", None),
                                                    SlotSet("failures", None)]


class ActionStop(Action):
    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        reply.say("stopped")
        return [*reset_task_events(tracker), SlotSet("task", None), *reply.remember()]


class ActionSwitchLanguage(Action):
    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        named = next(tracker.get_latest_entity_values("language"), None)
        text = user_text(tracker)
        if named not in ("ru", "en"):
            english = any(w in text for w in ("англ", "english"))
            named = "en" if english else "ru" if any(w in text for w in ("русск", "russian")) \
                else ("en" if turn_lang(tracker) == "ru" else "ru")
        reply = Reply(dispatcher, str(named))
        reply.custom({"event": "language", "lang": named})
        reply.say("language_switched")
        return [SlotSet("lang", named), *reply.remember()]


def handoff_summary(tracker: Tracker) -> dict[str, Any]:
    """The operator's summary: task, filled slots (masked) and the last turns (masked)."""
    slots: dict[str, Any] = {}
    for key in ("specialty", "date_pref", "slot_choice", "policy_number", "birth_date",
                "booking_ref", "patient_name"):
        value = tracker.get_slot(key)
        if value is None:
            continue
        slots[key] = "***" if key in PERSONAL_SLOTS and key != "policy_number" else (
            mask_text(str(value)))
    turns: list[dict[str, str]] = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            turns.append({"who": "user", "text": mask_text(str(event["text"]))})
        elif event.get("event") == "bot" and event.get("text"):
            turns.append({"who": "bot", "text": mask_text(str(event["text"]))})
    task = tracker.active_loop.get("name") if tracker.active_loop else None
    return {"task": task or tracker.get_slot("task"), "slots": slots, "last_turns": turns[-6:],
            "lang": turn_lang(tracker)}


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        reply.say("handoff")
        summary = handoff_summary(tracker)
        reply.custom({"event": "handoff", "summary": summary})
        logger.info("handoff requested, task=%s", summary["task"])
        return [SlotSet("pending", None), *reply.remember()]


def followup_for(intent: str) -> list[EventType]:
    action = TASK_ACTIONS.get(intent)
    if action == "booking_form":
        return [FollowupAction("booking_form")]
    return [FollowupAction(action)] if action else []


def deactivate() -> list[EventType]:
    return [ActiveLoop(None)]


def current_intent(tracker: Tracker) -> str:
    return intent_name(tracker)
