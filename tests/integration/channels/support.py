"""Channel test support: servers in background threads and a scripted dialogue stand-in.

The stand-in speaks Rasa's REST webhook protocol over real HTTP, so the gateway's own
DialogueClient is exercised; its answers are scripted so that channel mechanics (digits,
display-only text, handoff) can be checked whatever Korean words Vosk hears. It also receives
the handoff webhook.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

POLICY = "7700123456789012"
LONG_REPLY = ("Первое предложение этого ответа. Второе предложение, чуть длиннее первого. "
              "Третье предложение говорит ещё немного. Четвёртое предложение заканчивает ответ.")


class DialogueStandIn:
    """Rasa-compatible `/webhooks/city/webhook` with scripted replies, and `/handoff`."""

    def __init__(self) -> None:
        self.turns: list[dict[str, Any]] = []
        self.handoffs: list[dict[str, Any]] = []
        self.hold_s: dict[str, float] = {}  # sender -> how long to think before answering
        self.answered_at: dict[str, float] = {}  # sender -> time.monotonic() of the last answer
        self.app = FastAPI()
        self.app.post("/webhooks/city/webhook")(self.webhook)
        self.app.post("/handoff")(self.handoff)

    async def webhook(self, request: Request) -> list[dict[str, Any]]:
        body = await request.json()
        self.turns.append(body)
        sender = str(body.get("sender"))
        if self.hold_s.get(sender):
            await asyncio.sleep(self.hold_s[sender])
        try:
            return self._answer(str(body.get("message", "")).strip())
        finally:
            self.answered_at[sender] = time.monotonic()

    def _answer(self, text: str) -> list[dict[str, Any]]:
        if text == "0":
            summary = {"task": "booking", "slots": {"policy_number": POLICY},
                       "last_turns": [{"who": "user", "text": f"policy {POLICY}"}]}
            return [{"text": "Соединяю с оператором."},
                    {"custom": {"event": "handoff", "summary": summary}}]
        if text == "55":  # a long reply, to be cut by a barge-in
            return [{"text": LONG_REPLY}]
        if text.replace(" ", "").isdigit():
            return [{"text": "Номер получен."},
                    {"custom": {"event": "display", "text": f"Номер: {text}"}},
                    {"custom": {"event": "expect", "slot": "confirm", "phrases": ["네", "아니요"]}}]
        return [{"text": "Понятно."}]

    async def handoff(self, request: Request) -> dict[str, str]:
        self.handoffs.append(await request.json())
        return {"status": "ok"}

    def senders(self) -> list[str]:
        return [str(t.get("sender")) for t in self.turns]


class ServerThread:
    """uvicorn serving an ASGI app on 127.0.0.1:port in a thread of its own."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                ws_max_size=2**24, lifespan="on")
        self.server = uvicorn.Server(config)
        self.port = port
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"uvicorn-{port}")

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server on port {self.port} did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
