"""The typed state of a question the assistant is waiting on, kept in the `pending` slot.

The tracker stores the slot as a plain JSON dict; code reads and writes it through `Pending`
(`Pending.from_slot(value)`, `state.to_slot()`). A malformed slot value reads as no state.

Kinds: "ask" (a task waits for `need`), "confirm" (a task waits for yes/no), "retry" (a back-end
failed; yes replays `answer` with the task's `data` and `fails`), "operator" (an operator was
offered), "clarify" (a low-confidence guess `task` awaits yes/no).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

Kind = Literal["ask", "retry", "operator", "clarify", "confirm"]
KINDS: frozenset[str] = frozenset(get_args(Kind))


@dataclass(frozen=True)
class Pending:
    kind: Kind
    task: str = ""  # a task's name, or a form's ("booking_form")
    need: str | None = None  # ask: what the task waits for ("card_number", "place", ...)
    data: dict[str, Any] = field(default_factory=dict)  # the task's answers so far (JSON)
    fails: int = 0  # failed answers to this question
    answer: str | None = None  # retry: the user's answer to replay

    def to_slot(self) -> dict[str, Any]:
        """The slot's JSON value; unset optional fields are left out."""
        value: dict[str, Any] = {"kind": self.kind, "task": self.task}
        if self.need is not None:
            value["need"] = self.need
        if self.data:
            value["data"] = dict(self.data)
        if self.fails:
            value["fails"] = self.fails
        if self.answer is not None:
            value["answer"] = self.answer
        return value

    @classmethod
    def from_slot(cls, value: object) -> Pending | None:
        """The state in a slot value; None when there is none or it is malformed."""
        if not isinstance(value, dict):
            return None
        kind, task, need = value.get("kind"), value.get("task") or "", value.get("need")
        data = value.get("data")
        if data is None and isinstance(value.get("state"), dict):  # the older nested retry
            data = value["state"].get("data")
        fails, answer = value.get("fails") or 0, value.get("answer")
        if (kind not in KINDS or not isinstance(task, str)
                or not (need is None or isinstance(need, str))
                or not (data is None or isinstance(data, dict))
                or not isinstance(fails, int) or isinstance(fails, bool) or fails < 0
                or not (answer is None or isinstance(answer, str))):
            return None
        return cls(kind=cast(Kind, kind), task=task, need=need, data=dict(data or {}),
                   fails=fails, answer=answer)

    @property
    def awaits_answer(self) -> bool:
        """A task asked a question (`ask` or `confirm`) that this turn may answer."""
        return self.kind in ("ask", "confirm") and bool(self.task)
