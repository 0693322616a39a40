"""Multi-turn plumbing of the small tasks: the `pending` slot, asking, failure counting.

`pending` = {"task", "need", "data", "fails", "kind"}; kind is "ask" (waiting for `need`),
"retry" (a back-end failed; yes retries), "operator" (an operator was offered), "clarify"
(a low-confidence guess awaits yes/no) or "confirm" (a task awaits yes/no).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.base import Reply, operator_phrases, user_text, yes_no_phrases

MAX_FAILS = 3


@dataclass
class TaskContext:
    reply: Reply
    tracker: Tracker
    client: Any
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


def pending(tracker: Tracker) -> dict[str, Any] | None:
    value = tracker.get_slot("pending")
    return value if isinstance(value, dict) else None


def ask(
    ctx: TaskContext, need: str, ask_key: str, format_key: str, expect: str,
    phrases: list[str] | None = None, failed: bool = False,
) -> list[EventType]:
    """Ask for `need`; a second failure explains the format, a third offers an operator."""
    fails = ctx.fails + (1 if failed else 0)
    if fails >= MAX_FAILS:
        ctx.reply.say("offer_operator")
        ctx.reply.expect("yes_no", yes_no_phrases(ctx.lang) + operator_phrases(ctx.lang))
        return [SlotSet("pending", {"task": ctx.task, "kind": "operator", "data": ctx.data})]
    ctx.reply.say(format_key if fails == MAX_FAILS - 1 else ask_key)
    ctx.reply.expect(expect, phrases)
    state = {"task": ctx.task, "need": need, "data": ctx.data, "fails": fails, "kind": "ask"}
    return [SlotSet("pending", state), SlotSet("task", ctx.task)]


def done(ctx: TaskContext) -> list[EventType]:
    return [SlotSet("pending", None), SlotSet("task", ctx.task)]


def make_context(
    name: str, reply: Reply, tracker: Tracker, client: Any, answer: str | None = None,
    state: dict[str, Any] | None = None,
) -> TaskContext:
    state = state or {}
    return TaskContext(
        reply=reply, tracker=tracker, client=client, data=dict(state.get("data") or {}),
        answer=answer, fails=int(state.get("fails") or 0), task=name,
    )


async def run_task(ctx: TaskContext) -> list[EventType]:
    return await TASKS[ctx.task](ctx)
