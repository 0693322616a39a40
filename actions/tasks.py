"""Multi-turn plumbing of the small tasks: the `pending` slot, asking, failure counting.

The `pending` slot holds an `actions.pending.Pending` (task, need, data, fails, kind, answer);
kind is "ask" (waiting for `need`), "retry" (a back-end failed; yes retries), "operator" (an
operator was offered), "clarify" (a low-confidence guess awaits yes/no) or "confirm" (a task
awaits yes/no).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import Reply, operator_phrases, user_text, yes_no_phrases
from actions.city_client import CityApi
from actions.pending import Kind, Pending

MAX_FAILS = 3


@dataclass
class TaskContext:
    reply: Reply
    tracker: Tracker
    client: CityApi
    data: dict[str, Any] = field(default_factory=dict)
    answer: str | None = None  # the user's answer to the pending question, if any
    fails: int = 0
    task: str = ""

    @property
    def lang(self) -> str:
        return self.reply.lang

    @property
    def text(self) -> str:
        return self.answer if self.answer is not None else user_text(self.tracker)


TaskHandler = Callable[[TaskContext], Awaitable[list[EventType]]]
TASKS: dict[str, TaskHandler] = {}


def task(name: str) -> Callable[[TaskHandler], TaskHandler]:
    def wrap(fn: TaskHandler) -> TaskHandler:
        TASKS[name] = fn
        return fn

    return wrap


def pending(tracker: Tracker) -> Pending | None:
    """The question the assistant waits on; None when none (or the slot is malformed)."""
    return Pending.from_slot(tracker.get_slot("pending"))


def waiting(ctx: TaskContext, kind: Kind, need: str | None = None, fails: int = 0) -> EventType:
    """The task's `pending` slot: it waits on `need` (ask) or on a yes/no (confirm)."""
    state = Pending(kind=kind, task=ctx.task, need=need, data=ctx.data, fails=fails)
    return SlotSet("pending", state.to_slot())


def ask(
    ctx: TaskContext, need: str, ask_key: str, format_key: str, expect: str,
    phrases: list[str] | None = None, failed: bool = False,
) -> list[EventType]:
    """Ask for `need`; a second failure explains the format, a third offers an operator."""
    fails = ctx.fails + (1 if failed else 0)
    if fails >= MAX_FAILS:
        ctx.reply.say("offer_operator")
        ctx.reply.expect("yes_no", yes_no_phrases(ctx.lang) + operator_phrases(ctx.lang))
        return [SlotSet("pending", Pending("operator", ctx.task, data=ctx.data).to_slot())]
    ctx.reply.say(format_key if fails == MAX_FAILS - 1 else ask_key)
    ctx.reply.expect(expect, phrases)
    state = Pending("ask", ctx.task, need=need, data=ctx.data, fails=fails)
    return [SlotSet("pending", state.to_slot()), SlotSet("task", ctx.task)]


def done(ctx: TaskContext) -> list[EventType]:
    return [SlotSet("pending", None), SlotSet("task", ctx.task)]


def make_context(
    name: str, reply: Reply, tracker: Tracker, client: CityApi, answer: str | None = None,
    state: Pending | None = None,
) -> TaskContext:
    """The context of a task's turn; `state` (the task's own pending state) carries its answers
    so far and its failure count."""
    return TaskContext(
        reply=reply, tracker=tracker, client=client, data=dict(state.data) if state else {},
        answer=answer, fails=state.fails if state else 0, task=name,
    )


async def run_task(ctx: TaskContext) -> list[EventType]:
    return await TASKS[ctx.task](ctx)
