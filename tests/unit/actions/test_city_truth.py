"""Issue 11 finding 3: a slow city API never causes a hidden booking. The city runs in a real
uvicorn server (real client timeouts) behind an ASGI wrapper that pauses it, as a stalled
process would be; the booking step at "yes" uses the real `CityClient`. The caller is told either
the one booking that exists (its reference) or that nothing was booked, and nothing is booked
after that."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from action_fakes import tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Reply
from actions.booking_steps import step_confirm
from actions.city_client import CityClient
from cityservices.app import create_app
from cityservices.db import create_db_engine, run_migrations
from cityservices.dbguard import ensure_database
from cityservices.deps import get_now
from cityservices.seed import prepare
from tests.unit.cityservices.support import API_KEY, IVAN, MSK, NOW, TODAY, make_settings

Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Any, Any], Awaitable[None]]
TIMEOUT_S = 1.5  # the client's; its deadline is 0.5 s earlier


@dataclass
class Pause:
    """Booking requests that arrive before `until` (monotonic) wait until then."""

    until: float = 0.0
    first_only: bool = False
    seen: int = 0


def pausing(app: Asgi, pause: Pause) -> Asgi:
    """The request is read in full (the back-end has it), then the pause, then the app: as a
    back-end that stalls while it handles the booking and commits later."""
    async def wrapper(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/health/v1/appointments":
            await app(scope, receive, send)
            return
        messages = [await receive()]
        while messages[-1].get("more_body"):
            messages.append(await receive())
        pause.seen += 1
        if not (pause.first_only and pause.seen > 1):
            await asyncio.sleep(max(0.0, pause.until - time.monotonic()))

        async def replay() -> Any:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        await app(scope, replay, send)
    return wrapper


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("city-truth")
    ensure_database(make_settings(tmp))
    engine = create_db_engine(make_settings(tmp))
    run_migrations(engine)
    prepare(engine, TODAY, MSK)
    engine.dispose()
    return tmp / "city.db"


@pytest.fixture
async def live(tmp_path: Path, template_db: Path) -> AsyncIterator[tuple[str, Pause]]:
    shutil.copy(template_db, tmp_path / "city.db")
    app = create_app(make_settings(tmp_path))
    app.dependency_overrides[get_now] = lambda: NOW
    pause = Pause()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(pausing(app, pause), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}", pause
    server.should_exit = True
    thread.join(timeout=10)


async def _say_yes(base: str) -> tuple[list[str], str]:
    async with httpx.AsyncClient(base_url=base) as http:
        token = (await http.post("/health/v1/patients/identify", json=IVAN,
                                 headers=API_KEY)).json()["token"]
        slot = (await http.get("/health/v1/slots", params={"specialty": "therapist",
                                                           "limit": 1})).json()["slots"][0]
    client = CityClient(base_url=base, api_key="demo-city-key", timeout_s=TIMEOUT_S,
                        caller_secret="")
    dispatcher = CollectingDispatcher()
    reply = Reply(dispatcher, "ru")
    values: dict[str, Any] = {"specialty": "therapist", "slot_choice": slot["id"],
                              "offered_slots": [slot]}
    turn = tracker("да", intent="affirm", slots={"patient_token": token})
    await step_confirm(client, turn, reply, values, "да")
    return [m["text"] for m in dispatcher.messages if m.get("text")], token


async def _booked(base: str, token: str) -> list[dict[str, Any]]:
    await asyncio.sleep(2.5)  # every stalled request has reached the app and finished
    async with httpx.AsyncClient(base_url=base) as http:
        resp = await http.get("/health/v1/appointments",
                              headers={**API_KEY, "Authorization": f"Bearer {token}"})
    return list(resp.json()["appointments"])


async def test_a_city_paused_past_every_attempt_books_nothing_and_says_so(
    live: tuple[str, Pause],
) -> None:
    base, pause = live
    pause.until = time.monotonic() + 4.0  # longer than both attempts together
    said, token = await _say_yes(base)
    assert any("не отвечает" in text for text in said), said
    assert await _booked(base, token) == []  # nothing booked after "not responding"


async def test_a_first_attempt_stalled_the_retry_tells_the_one_booking(
    live: tuple[str, Pause],
) -> None:
    base, pause = live
    pause.until, pause.first_only = time.monotonic() + 2.5, True
    said, token = await _say_yes(base)
    [appointment] = await _booked(base, token)  # the stalled first attempt added nothing
    assert any(appointment["reference"] in text for text in said), said
