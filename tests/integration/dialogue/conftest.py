"""The dialogue tests' stack: the session's shared `assistant up` (tests/fixtures/stack.py).

`Stack.say` sends one turn through the gateway's /v1/text and answers in Rasa's shape
([{"text"}, {"custom": {"event", ...}}]), so the tests read like Rasa conversations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.fixtures.stack import RunningStack


@dataclass
class Stack:
    running: RunningStack

    @property
    def rasa_url(self) -> str:
        return self.running.rasa_url

    @property
    def rasa_token(self) -> str:
        return self.running.rasa_token

    def turn(self, sender: str, text: str, lang: str, channel: str = "phone") -> dict[str, Any]:
        return self.running.text(sender, text, lang, channel)

    def say(
        self, sender: str, text: str, lang: str, channel: str = "phone"
    ) -> list[dict[str, Any]]:
        body = self.turn(sender, text, lang, channel)
        out: list[dict[str, Any]] = [{"text": r["text"]} for r in body["replies"]]
        for event in body["events"]:
            custom = {"event": event["type"], **{k: v for k, v in event.items() if k != "type"}}
            out.append({"custom": custom})
        return out

    def parse(self, text: str, lang: str) -> dict[str, Any]:
        from actions.parsing import normalize

        answer = httpx.post(f"{self.rasa_url}/model/parse", params={"token": self.rasa_token},
                            json={"text": normalize(text, lang)}, timeout=60)
        answer.raise_for_status()
        return dict(answer.json())

    def city(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.running.city(method, path, **kwargs)


@pytest.fixture
def stack(running_stack: RunningStack) -> Stack:
    return Stack(running_stack)
