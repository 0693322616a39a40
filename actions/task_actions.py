"""Rasa actions of the small tasks, and the routing of inform / yes / no to a pending question."""

from __future__ import annotations

import logging
from abc import ABC
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import appointments, open311, services  # noqa: F401  (registers the tasks)
from actions.base import CityAction, NamedAction, Reply, service_error, turn_lang, user_text
from actions.city_client import CityError, RateLimited, Unavailable
from actions.dialogue import clarify_guess, followup_for
from actions.tasks import make_context, pending, run_task

logger = logging.getLogger(__name__)

FREE_TEXT_NEEDS = frozenset({"place", "description"})
CONFIDENT = 0.9

SERVICE_OF_TASK = {
    "troika_balance": "troika", "kindergarten_queue_status": "kindergarten",
    "transport_arrivals": "transit", "traffic_status": "traffic", "wifi_nearby": "wifi",
    "report_problem": "open311", "request_status": "open311", "list_appointments": "health",
    "cancel_appointment": "health", "reschedule_appointment": "health",
}


async def guarded_task(
    name: str, reply: Reply, tracker: Tracker, client: Any, answer: str | None = None,
    state: dict[str, Any] | None = None,
) -> list[EventType]:
    """Run a task; a slow or failed back-end gets an apology and a retry/operator choice."""
    ctx = make_context(name, reply, tracker, client, answer=answer, state=state)
    try:
        events = await run_task(ctx)
    except (Unavailable, RateLimited) as error:
        kept = {**(state or {}), "data": ctx.data}
        retry = {"task": name, "answer": answer, "state": kept}
        events = service_error(reply, error, SERVICE_OF_TASK.get(name, "health"), retry)
    except CityError as error:
        logger.warning("task %s failed: %s", name, error.code)
        reply.say("clarify_open")
        events = [SlotSet("pending", None)]
    return [*events, *reply.remember()]


async def answer_pending(client: Any, reply: Reply, tracker: Tracker,
                         state: dict[str, Any] | None) -> list[EventType] | None:
    """The turn answers the question a task asked (`ask` or `confirm`), when one is pending."""
    if not state or state.get("kind") not in ("ask", "confirm") or not state.get("task"):
        return None
    return await guarded_task(str(state["task"]), reply, tracker, client,
                              answer=user_text(tracker), state=state)


class _TaskAction(NamedAction, CityAction, ABC):
    task_name = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker)
        if answers_pending(state, self.task_name, tracker):
            assert state is not None
            return await guarded_task(str(state["task"]), reply, tracker, self.client(),
                                      answer=user_text(tracker), state=state)
        keep = state if state and state.get("task") == self.task_name else None
        return await guarded_task(self.task_name, reply, tracker, self.client(), state=keep)


def answers_pending(state: dict[str, Any] | None, task_name: str, tracker: Tracker) -> bool:
    """Is this turn, classified as a task intent, really the answer to a pending question?

    Yes when the task asked is the same one ("яма на дороге" answering "what happened?"), or
    when a free-text answer (a place, a description) was classified as another task with less
    than high confidence: free text looks like anything.
    """
    if not state or state.get("kind") != "ask" or not state.get("task"):
        return False
    if state["task"] == task_name:
        return True
    confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence")
                       or 0.0)
    return state.get("need") in FREE_TEXT_NEEDS and confidence < CONFIDENT


class ActionTroikaBalance(_TaskAction):
    task_name, action_name = "troika_balance", "action_troika_balance"


class ActionKindergartenStatus(_TaskAction):
    task_name, action_name = "kindergarten_queue_status", "action_kindergarten_status"


class ActionTransportArrivals(_TaskAction):
    task_name, action_name = "transport_arrivals", "action_transport_arrivals"


class ActionTrafficStatus(_TaskAction):
    task_name, action_name = "traffic_status", "action_traffic_status"


class ActionWifiNearby(_TaskAction):
    task_name, action_name = "wifi_nearby", "action_wifi_nearby"


class ActionReportProblem(_TaskAction):
    task_name, action_name = "report_problem", "action_report_problem"


class ActionRequestStatus(_TaskAction):
    task_name, action_name = "request_status", "action_request_status"


class ActionListAppointments(_TaskAction):
    task_name, action_name = "list_appointments", "action_list_appointments"


class ActionCancelAppointment(_TaskAction):
    task_name, action_name = "cancel_appointment", "action_cancel_appointment"


class ActionRescheduleAppointment(_TaskAction):
    task_name, action_name = "reschedule_appointment", "action_reschedule_appointment"


class ActionInform(CityAction):
    """An answer: goes to the pending question; without one, a clarifying question."""

    def name(self) -> str:
        return "action_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        answered = await answer_pending(self.client(), reply, tracker, pending(tracker))
        return answered if answered is not None else self.unclear(reply, tracker)

    def unclear(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        reply.say("clarify_open")
        return reply.remember()


class ActionClarify(ActionInform):
    """Low NLU confidence. While a question is pending, the turn is an answer to it, so a bad
    one counts like any other (the format is explained, then an operator offered); otherwise a
    yes/no question about the best guess, never an action on it."""

    def name(self) -> str:
        return "action_clarify"

    def unclear(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        return clarify_guess(reply, tracker)


class ActionAffirm(CityAction):
    def name(self) -> str:
        return "action_affirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker) or {}
        kind, name = state.get("kind"), str(state.get("task") or "")
        if kind == "retry" and name == "booking_form":
            return [SlotSet("pending", None), FollowupAction("booking_form")]
        if kind == "retry" and name:
            inner = state.get("state") if isinstance(state.get("state"), dict) else None
            return await guarded_task(name, reply, tracker, self.client(),
                                      answer=state.get("answer"), state=inner)
        if kind == "operator":
            return [SlotSet("pending", None), FollowupAction("action_handoff")]
        if kind == "clarify" and name:
            return [SlotSet("pending", None), *followup_for(name)]
        answered = await answer_pending(self.client(), reply, tracker, state)
        if answered is not None:
            return answered
        reply.say("affirm_idle")
        return reply.remember()


class ActionDeny(CityAction):
    def name(self) -> str:
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker) or {}
        answered = await answer_pending(self.client(), reply, tracker, state)
        if answered is not None:
            return answered
        reply.say("clarify_open" if state.get("kind") == "clarify" else "deny_idle")
        return [SlotSet("pending", None), *reply.remember()]
