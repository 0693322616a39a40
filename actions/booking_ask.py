"""The booking form's questions (action_ask_*) and its end (action_booking_done)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    CityAction,
    Reply,
    operator_phrases,
    service_error,
    turn_lang,
    user_text,
    yes_no_phrases,
)
from actions.booking_steps import BOOKING_RETRY, fetch_slots
from actions.city_client import RateLimited, TimeSlot, Unavailable
from actions.health_text import clinic_name, doctor_name, specialty_name, time_text, when_text
from actions.messages import say
from actions.messages_booking import SPECIALTY_NAMES
from actions.pending import Pending
from actions.repair import repair_turn
from actions.tasks import pending

logger = logging.getLogger(__name__)

DIGITS = {
    "ru": ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
}
MAX_FAILS = 3



def fail_count(value: Any) -> int:
    """A failure count from the `failures` slot; a value the tracker store masked reads as 0."""
    return int(value) if str(value).isdigit() else 0

def _fails(tracker: Tracker, slot: str) -> int:
    failures = tracker.get_slot("failures") or {}
    return fail_count(failures.get(slot)) if isinstance(failures, dict) else 0


class _Ask(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str:
        """Set by each subclass."""

    ask_key = ""
    format_key = ""
    expect_slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def phrases(self, lang: str) -> list[str]:
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        fails = _fails(tracker, self.slot)
        reply.say(self.format_key if fails >= MAX_FAILS - 1 else self.ask_key)
        reply.expect(self.expect_slot, self.phrases(reply.lang))
        return reply.remember()


class ActionAskSpecialty(_Ask):
    slot, ask_key, format_key, expect_slot = (
        "specialty", "ask_specialty", "specialty_format", "specialty")

    def phrases(self, lang: str) -> list[str]:
        return [names[lang] for names in SPECIALTY_NAMES.values()]


class ActionAskPolicyNumber(_Ask):
    slot, ask_key, format_key, expect_slot = (
        "policy_number", "ask_policy", "policy_format", "policy_number")

    def phrases(self, lang: str) -> list[str]:
        return DIGITS[lang]


class ActionAskBirthDate(_Ask):
    slot, ask_key, format_key, expect_slot = ("birth_date", "ask_birth", "birth_format",
                                              "birth_date")


class ActionAskDatePref(_Ask):
    slot, ask_key, format_key, expect_slot = ("date_pref", "ask_date", "date_format", "date")

    def phrases(self, lang: str) -> list[str]:
        return ["сегодня", "завтра", "послезавтра"] if lang == "ru" else [
            "today", "tomorrow", "day after tomorrow"]


class ActionAskSlotChoice(CityAction):
    """Offers at most three nearest free slots (fetched, or the ones already offered)."""

    def name(self) -> str:
        return "action_ask_slot_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        offered: list[dict[str, Any]] = list(tracker.get_slot("offered_slots") or [])
        events: list[EventType] = []
        if not offered:
            try:
                offered = await fetch_slots(self.client(), str(tracker.get_slot("specialty")),
                                            str(tracker.get_slot("date_pref")),
                                            pref=tracker.get_slot("time_pref") or None)
            except (Unavailable, RateLimited) as error:
                return [*service_error(reply, error, "health", BOOKING_RETRY),
                        *reply.remember()]
            events.append(SlotSet("offered_slots", offered or None))
            if offered:
                _say_day_moved(reply, str(tracker.get_slot("date_pref")), offered)
        if not offered:
            reply.say("no_slots")
            reply.expect("date")
            return [*events, SlotSet("date_pref", None), *reply.remember()]
        if _fails(tracker, "slot_choice") >= MAX_FAILS - 1:
            reply.say("choice_format")
        items = ", ".join(
            say("slot_item", reply.lang, n=i + 1, when=when_text(str(s["start"]), reply.lang))
            for i, s in enumerate(offered))
        specialty = specialty_name(tracker.get_slot("specialty"), reply.lang)
        reply.say("offer_slots", specialty=specialty.capitalize(), items=items)
        times = [time_text(str(s["start"])) for s in offered]
        reply.expect("slot_choice", _choice_phrases(reply.lang) + times)
        return [*events, *reply.remember()]


def _say_day_moved(reply: Reply, wanted: str, offered: list[dict[str, Any]]) -> None:
    """The day asked for has no free time (a Sunday, a full day): say so, never move silently."""
    first = str(offered[0]["start"])[:10]
    if not wanted or first == wanted[:10]:
        return
    try:
        asked = date.fromisoformat(wanted[:10])
    except ValueError:
        return
    day = when_text(f"{first}T00:00:00", reply.lang).rsplit(", ", 1)[0]
    reply.say("day_closed" if asked.weekday() == 6 else "day_full", day=day)


def _choice_phrases(lang: str) -> list[str]:
    if lang == "ru":
        return ["первый", "второй", "третий", "позже", "другой день"]
    return ["the first one", "the second one", "the third one", "later", "another day"]


class ActionAskConfirm(Action):
    """Reads the choice back; booking happens only after an explicit yes."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        chosen = next((TimeSlot.model_validate(s) for s in tracker.get_slot("offered_slots") or []
                       if str(s["id"]) == str(tracker.get_slot("slot_choice"))), None)
        if _fails(tracker, "confirm") >= MAX_FAILS - 1:
            reply.say("confirm_format")
        if chosen is not None:
            reply.say("readback", specialty=specialty_name(chosen.specialty or str(
                tracker.get_slot("specialty")), reply.lang), when=when_text(chosen.start,
                reply.lang), clinic=clinic_name(chosen, reply.lang),
                doctor=doctor_name(chosen, reply.lang))
        reply.expect("yes_no", yes_no_phrases(reply.lang)[:2])
        return reply.remember()


class ActionBookingDone(Action):
    """After the form: tidy up, or offer an operator when answers kept failing."""

    def name(self) -> str:
        return "action_booking_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker)
        tidy = [SlotSet(s, None) for s in ("specialty", "date_pref", "time_pref", "slot_choice",
                                           "confirm", "offered_slots", "failures")]
        if tracker.get_slot("booking_ref"):
            return [*tidy, SlotSet("task", None)]
        if repair_turn(user_text(tracker), reply.lang) == "drop":  # a change of mind
            reply.say("booking_dropped")
            return [*tidy, SlotSet("task", None), SlotSet("pending", None), *reply.remember()]
        if state and state.kind == "retry":
            return []
        failures = tracker.get_slot("failures") or {}
        if any(fail_count(n) >= MAX_FAILS for n in failures.values()):
            reply.say("offer_operator")
            reply.expect("yes_no", yes_no_phrases(reply.lang) + operator_phrases(reply.lang))
            return [SlotSet("failures", None),
                    SlotSet("pending", Pending("operator", "booking_form").to_slot()),
                    *reply.remember()]
        reply.say("booking_aborted")
        return [*tidy, *reply.remember()]
