"""Conversation actions: greetings, help, repeat, clarify, stop, language, handoff, yes/no."""

from __future__ import annotations

import logging
import re
from abc import ABC
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    NamedAction,
    Reply,
    entity,
    intent_name,
    mask_digits,
    mask_text,
    turn_lang,
    user_text,
)
from actions.messages import MESSAGES
from actions.parsing import canonical_specialty
from actions.pending import Pending
from actions.registry import guessable_actions
from actions.repair import repair_turn
from actions.vault import held_policy

logger = logging.getLogger(__name__)

# intent -> action, for the intents a clarifying question may offer (from the registry)
GUESSABLE: dict[str, str] = guessable_actions()
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
    """A greeting; "алло, мне бы к хирургу на пятницу" also starts the task it carries."""

    key, action_name = "greet", "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if task_in_turn(tracker) == "booking_form":
            return [FollowupAction("booking_form")]
        return await super().run(dispatcher, tracker, domain)


_ROUTE_ASKED = re.compile(r"\b(?:автобус\w*|трамва\w*|троллейбус\w*|маршрут\w*|bus|tram|route)\b")
_NOT_A_BOOKING = re.compile(r"\b(?:отмен\w*|перен[её]с\w*|cancel\w*|reschedul\w*|move)\b")


def task_in_turn(tracker: Tracker) -> str | None:
    """The task a turn outside any task plainly carries, whatever intent the classifier gave
    it: a doctor named ("к кардиологу на среду", "a cardiologist tomorrow at eleven"): the
    booking form, which reads every detail of the turn; a route with its number ("route six at
    smolenskaya square"): arrivals."""
    if tracker.active_loop.get("name"):
        return None
    text = user_text(tracker)
    if _ROUTE_ASKED.search(text.lower()) and re.search(r"\d", text):
        return "transport_arrivals"
    named = canonical_specialty(entity(tracker, "specialty")) or canonical_specialty(text)
    if named is None or _NOT_A_BOOKING.search(text.lower()):
        return None
    return "booking_form"


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
        state = Pending.from_slot(tracker.get_slot("pending"))
        asking = tracker.get_slot("requested_slot") == "policy_number" or (
            state is not None and state.need == "policy")
        repair = repair_turn(user_text(tracker), reply.lang, asking_policy=asking)
        if repair in ("dont_know_policy", "insult"):  # never a hang-up: help, then go on
            return help_instead(str(repair), reply, tracker)
        reply.say("goodbye")
        reply.custom({"event": "end_session"})
        return [SlotSet("pending", None)]


def help_instead(kind: str, reply: Reply, tracker: Tracker) -> list[EventType]:
    """"I don't know my policy": where to find it, and "say operator"; an insult: a calm word
    and a human offered. A task under way stays open (a form asks its question again)."""
    loop = (tracker.active_loop or {}).get("name")
    state = Pending.from_slot(tracker.get_slot("pending"))
    busy = bool(loop) or (state is not None and state.awaits_answer)
    if kind == "insult" and not busy:
        reply.say("insult_idle")
        reply.expect("yes_no", ["да", "нет", "оператор"] if reply.lang == "ru" else
                     ["yes", "no", "operator"])
        return [SlotSet("pending", Pending("operator").to_slot()), *reply.remember()]
    reply.say(kind)
    return [*reply.remember(), *([FollowupAction(str(loop))] if loop else [])]


class ActionDontKnowPolicy(NamedAction):
    action_name = "action_dont_know_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        instead = await answer_instead(dispatcher, tracker, domain, unless_need="policy")
        if instead is not None:
            return instead
        reply = Reply(dispatcher, turn_lang(tracker))
        reply.say("dont_know_policy")
        return reply.remember()


class ActionInsult(NamedAction):
    action_name = "action_insult"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        events = help_instead("insult", reply, tracker)
        return [e for e in events if e.get("event") != "followup"]  # the rule resumes the form


class ActionRepeat(Action):
    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not REPEAT_CUE.search(user_text(tracker)):  # the NLU's guess; the words say otherwise
            instead = await answer_instead(dispatcher, tracker, domain)
            if instead is not None:
                return instead
        last = tracker.get_slot("last_reply")
        if not isinstance(last, dict) or not last.get("texts"):
            Reply(dispatcher, turn_lang(tracker)).say("nothing_to_repeat")
            return []
        texts = list(last["texts"])
        if (tracker.active_loop or {}).get("name"):
            texts = texts[:-1]  # the form asks its question again itself right after
        for text in texts:
            dispatcher.utter_message(text=text)
        return []


REPEAT_CUE = re.compile(
    r"(повтор\w*|ещ[её] раз|не расслышал\w*|не понял\w*|что вы сказали|что что|как как|"
    r"не слышно|repeat|again|say that|pardon|come again|didn t (catch|hear)|what did you say)",
    re.IGNORECASE)


async def answer_instead(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
    unless_need: str | None = None,
) -> list[EventType] | None:
    """The turn as the answer to the question asked (a form's or a task's), whatever intent the
    NLU guessed ("понятия не имею" read as `repeat`, "не помню" at the Troika question read as
    not knowing the policy); None when no question waits, or when it asks for `unless_need`.
    A task's question is answered here, not by a FollowupAction: after an action chain that no
    rule knows, Rasa would run its core fallback again and again."""
    loop = (tracker.active_loop or {}).get("name")
    if loop:
        asked = tracker.get_slot("requested_slot")
        return None if unless_need and asked == f"{unless_need}_number" else [
            FollowupAction(str(loop))]  # a form: Rasa's loop handling takes it from here
    state = Pending.from_slot(tracker.get_slot("pending"))
    if state is not None and state.awaits_answer and state.need != unless_need:
        from actions.task_actions import ActionInform  # imports this module

        events: list[EventType] = await ActionInform().run(dispatcher, tracker, domain)
        return events
    return None


def clarify_guess(reply: Reply, tracker: Tracker) -> list[EventType]:
    """Low confidence and no question pending: ask about the best guess (yes/no), never act."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    guess = next((r.get("name") for r in ranking if r.get("name") in GUESSABLE), None)
    if guess and f"intent_{guess}" in MESSAGES:
        reply.say("clarify", guess=MESSAGES[f"intent_{guess}"][reply.lang])
        reply.expect("yes_no", ["да", "нет"] if reply.lang == "ru" else ["yes", "no"])
        state = Pending("clarify", str(guess))
        return [SlotSet("pending", state.to_slot()), *reply.remember()]
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
        state = Pending.from_slot(tracker.get_slot("pending"))
        if state is not None and state.task == "reminder_call":  # "отменить" answers a reminder
            from actions.task_actions import task_action  # that module imports this one
            return await task_action("action_reminder_call").run(dispatcher, tracker, domain)
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
        if key == "policy_number":  # sealed until identification, then masked
            value = mask_digits(held_policy(value) or str(value))
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


def deactivate() -> list[EventType]:
    return [ActiveLoop(None)]


def current_intent(tracker: Tracker) -> str:
    return intent_name(tracker)
