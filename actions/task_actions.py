"""Rasa actions of the small tasks, and the routing of inform / yes / no to a pending question.

The task actions are made from the registry (`actions.registry.CITY_TASKS`): one concrete action
class per task, named after its action (`action_troika_balance` -> `ActionTroikaBalance`).
"""

from __future__ import annotations

import importlib
import logging
import types
from abc import ABC
from typing import Any, cast

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    CityAction,
    ClientFactory,
    NamedAction,
    Reply,
    service_error,
    turn_lang,
    user_text,
)
from actions.city_client import CityApi, CityError, RateLimited, Unavailable
from actions.dialogue import GUESSABLE, ActionHandoff, clarify_guess, task_in_turn
from actions.pending import Pending
from actions.registry import CITY_TASKS, CityTask, service_of, task_modules
from actions.repair import repair_turn, yes_no
from actions.tasks import make_context, pending, run_task

logger = logging.getLogger(__name__)

for _module in task_modules():  # registers the `@task` handlers named in the registry
    importlib.import_module(_module)

FREE_TEXT_NEEDS = frozenset({"place", "description"})
CONFIDENT = 0.9


async def guarded_task(
    name: str, reply: Reply, tracker: Tracker, client: CityApi, answer: str | None = None,
    state: Pending | None = None,
) -> list[EventType]:
    """Run a task; a slow or failed back-end gets an apology and a retry/operator choice.
    An answer to the task's question first goes through the repair layer: a change of mind
    ends the task, "I don't know my policy" and an insult get their answer and the question
    stays open."""
    if answer is not None and state is not None and state.awaits_answer:
        repaired = repair_answer(reply, answer, state)
        if repaired is not None:
            return [*repaired, *reply.remember()]
    ctx = make_context(name, reply, tracker, client, answer=answer, state=state)
    try:
        events = await run_task(ctx)
    except (Unavailable, RateLimited) as error:
        retry = Pending("retry", name, need=state.need if state else None, data=ctx.data,
                        fails=state.fails if state else 0, answer=answer)
        events = service_error(reply, error, service_of(name), retry)
    except CityError as error:
        logger.warning("task %s failed: %s", name, error.code)
        reply.say("clarify_open")
        events = [SlotSet("pending", None)]
    return [*events, *reply.remember()]


def repair_answer(reply: Reply, answer: str, state: Pending) -> list[EventType] | None:
    """The repair layer of the small tasks (the booking form has the same in its validator)."""
    repair = repair_turn(answer, reply.lang, asking_policy=state.need == "policy")
    if repair == "insult" and state.need in FREE_TEXT_NEEDS:
        repair = None  # "тупые дороги, сплошные ямы" describes the problem
    if repair == "drop" and state.task == "reminder_call":
        repair = None  # "отмените" answers a reminder call: cancel the visit (actions/reminder.py)
    if repair == "drop":
        reply.say("task_dropped")
        return [SlotSet("pending", None), SlotSet("task", None)]
    if repair is not None:
        reply.say(repair)
        return []
    return None


async def answer_pending(client: CityApi, reply: Reply, tracker: Tracker,
                         state: Pending | None) -> list[EventType] | None:
    """The turn answers the question a task asked (`ask` or `confirm`), when one is pending."""
    if state is None or not state.awaits_answer:
        return None
    return await guarded_task(state.task, reply, tracker, client, answer=user_text(tracker),
                              state=state)


class _TaskAction(NamedAction, CityAction, ABC):
    task_name = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker)
        if state is not None and answers_pending(state, self.task_name, tracker):
            return await guarded_task(state.task, reply, tracker, self.client(),
                                      answer=user_text(tracker), state=state)
        keep = state if state and state.task == self.task_name else None
        return await guarded_task(self.task_name, reply, tracker, self.client(), state=keep)


def answers_pending(state: Pending | None, task_name: str, tracker: Tracker) -> bool:
    """Is this turn, classified as a task intent, really the answer to a pending question?

    Yes when the task asked is the same one ("яма на дороге" answering "what happened?"), or
    when a free-text answer (a place, a description) was classified as another task with less
    than high confidence: free text looks like anything.
    """
    if state is None or state.kind != "ask" or not state.task:
        return False
    if state.task in (task_name, "reminder_call"):  # "отмените" answers the reminder's menu
        return True
    confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence")
                       or 0.0)
    return state.need in FREE_TEXT_NEEDS and confidence < CONFIDENT


def _class_name(action: str) -> str:
    return "".join(part.title() for part in action.split("_"))


def _task_action_class(spec: CityTask) -> type[_TaskAction]:
    attrs: dict[str, Any] = {"task_name": spec.intent, "action_name": spec.action,
                             "__module__": __name__, "__doc__": f"The task {spec.intent}."}
    made = types.new_class(_class_name(spec.action), (_TaskAction,),
                           exec_body=lambda ns: ns.update(attrs))
    return cast(type[_TaskAction], made)


# action name -> its class; rasa-sdk registers every concrete Action subclass it finds
TASK_ACTIONS: dict[str, type[_TaskAction]] = {
    t.action: _task_action_class(t) for t in CITY_TASKS if not t.is_form
}


def task_action(action: str, client_factory: ClientFactory | None = None) -> _TaskAction:
    """An instance of a task's action by its name (tests pass a fake client's factory)."""
    return TASK_ACTIONS[action](client_factory)


class ActionInform(CityAction):
    """An answer: goes to the pending question; without one, a clarifying question."""

    def name(self) -> str:
        return "action_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        answered = await answer_pending(self.client(), reply, tracker, pending(tracker))
        if answered is not None:
            return answered
        carried = task_in_turn(tracker)
        if carried == "booking_form":
            return [FollowupAction("booking_form")]  # the form reads every detail of the turn
        if carried:  # run here: a followup would be answered by this rule again
            return await guarded_task(carried, reply, tracker, self.client())
        return self.unclear(reply, tracker)

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
        state = pending(tracker)
        kind, name = (state.kind, state.task) if state else (None, "")
        if kind in ("retry", "operator", "clarify") and yes_no(user_text(tracker)) is not True:
            reply.say("say_yes_no")  # only a clear yes acts; a junk turn is asked again
            return reply.remember()
        if kind == "retry" and name == "booking_form":
            return [SlotSet("pending", None), FollowupAction("booking_form")]
        if state is not None and kind == "retry" and name:
            return await guarded_task(name, reply, tracker, self.client(), answer=state.answer,
                                      state=state)
        if kind == "operator":  # handed over here: a followup would end in the core fallback
            return [SlotSet("pending", None),
                    *await ActionHandoff().run(dispatcher, tracker, domain)]
        if kind == "clarify" and name:
            return [SlotSet("pending", None),
                    *await self.run_guess(name, reply, tracker, dispatcher, domain)]
        answered = await answer_pending(self.client(), reply, tracker, state)
        if answered is not None:
            return answered
        reply.say("affirm_idle")
        return reply.remember()

    async def run_guess(self, intent: str, reply: Reply, tracker: Tracker,
                        dispatcher: CollectingDispatcher, domain: DomainDict) -> list[EventType]:
        """Yes to "do you want X?": X runs here. A FollowupAction to a plain action would be
        followed by a prediction that nothing trains, i.e. the core fallback, again and again;
        only a form is handed on, because Rasa's loop handling takes a form from there."""
        action = GUESSABLE.get(intent)
        if action and action.endswith("_form"):
            return [FollowupAction(action)]
        if action == ActionHandoff().name():
            return await ActionHandoff().run(dispatcher, tracker, domain)
        if action in TASK_ACTIONS:
            return await guarded_task(intent, reply, tracker, self.client())
        reply.say("clarify_open")
        return reply.remember()


class ActionDeny(CityAction):
    def name(self) -> str:
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reply = Reply(dispatcher, turn_lang(tracker))
        state = pending(tracker)
        answered = await answer_pending(self.client(), reply, tracker, state)
        if answered is not None:
            return answered
        reply.say("clarify_open" if state and state.kind == "clarify" else "deny_idle")
        return [SlotSet("pending", None), *reply.remember()]
