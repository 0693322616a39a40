"""Replies that start sooner, over real AudioSocket and WebSocket (real Vosk Korean test model,
real espeak-ng): the final transcript goes out before the dialogue answers, a complete restricted
answer ends after the short silence, speech that goes on within it continues the same turn, and
a barge-in stops the reply, which a repeat then says in full."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import websockets

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.cli.bench.phone import trim_silence
from assistant.gateway.pipeline import TurnTiming, VoiceStack
from tests.fixtures.audio.speech import Speech, silence
from tests.integration.channels.conftest import TOKEN, Gateway
from tests.integration.channels.support import LONG_REPLY


@pytest.fixture
def timings(gateway: Gateway) -> Iterator[list[TurnTiming]]:
    """Each spoken turn's endpoint decision, as the gateway's pipeline reports it."""
    seen: list[TurnTiming] = []
    voice: VoiceStack = gateway.app.state.voice
    voice.observers.append(seen.append)
    yield seen
    voice.observers.remove(seen.append)


def tight(pcm: bytes) -> bytes:
    """espeak's speech without its own leading and trailing pauses."""
    samples = trim_silence(np.frombuffer(pcm, dtype="<i2"))
    return bytes(samples.astype("<i2").tobytes())


def mine(timings: list[TurnTiming], session: str) -> list[TurnTiming]:
    return [t for t in timings if t.session_id == session]


async def ws_open(gateway: Gateway, session: str) -> Any:
    ws = await websockets.connect(gateway.voice_url,
                                  additional_headers={"Authorization": f"Bearer {TOKEN}"})
    await ws.send(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000,
                              "session_id": session}))
    assert json.loads(await ws.recv())["type"] == "ready"
    return ws


async def until(ws: Any, kind: str, seen: list[tuple[float, Any]]) -> dict[str, Any]:
    """Read (time, message) into `seen` up to the first JSON event of `kind`."""
    while True:
        raw = await asyncio.wait_for(ws.recv(), 60)
        seen.append((time.monotonic(), raw))
        if isinstance(raw, str) and json.loads(raw)["type"] == kind:
            return dict(json.loads(raw))


async def send_audio(ws: Any, pcm: bytes, step: int = 3200) -> None:
    """16 kHz PCM in 100 ms binary frames."""
    for offset in range(0, len(pcm), step):
        await ws.send(pcm[offset:offset + step])


def kinds(seen: list[tuple[float, Any]]) -> list[str]:
    return [json.loads(raw)["type"] for _, raw in seen if isinstance(raw, str)]


async def test_the_final_goes_out_before_the_dialogue_answers(
        gateway: Gateway, speech: Speech) -> None:
    session = "streamed-final"
    gateway.standin.hold_s[session] = 1.5  # the dialogue thinks for a while
    ws = await ws_open(gateway, session)
    try:
        await send_audio(ws, silence(300) + speech("네 감사합니다") + silence(900))
        seen: list[tuple[float, Any]] = []
        await until(ws, "final", seen)
        final_at = seen[-1][0]
        await until(ws, "turn-end", seen)
    finally:
        await ws.close()
    assert final_at < gateway.standin.answered_at[session], "final waited for the dialogue"
    order = kinds(seen)
    assert order.index("final") < order.index("reply") < order.index("audio")


async def test_a_complete_yes_ends_after_the_short_silence(
        gateway: Gateway, speech: Speech, timings: list[TurnTiming]) -> None:
    early_ms = gateway.settings.endpointing_for("phone").early_silence_ms
    full_ms = gateway.settings.endpointing_for("phone").silence_ms
    async with FakeAsterisk("127.0.0.1", gateway.phone_port) as call:
        session = str(call.call_id)
        await call.wait_quiet(0.5)
        await call.send_digits("1234#")  # the stand-in answers and expects 네 / 아니요
        await call.wait_quiet(0.5)
        end = await call.speak(speech("네", rate=8000))
        await call.speak(silence(1200, 8000))
        await call.wait_audio_after(end)
        await call.wait_quiet(0.5)
        # an open answer (no expectation now) waits the full silence
        end = await call.speak(speech("네 감사합니다", rate=8000))
        await call.speak(silence(1200, 8000))
        await call.wait_audio_after(end)
    turns = mine(timings, session)
    assert [t.early for t in turns] == [True, False]
    assert [t.silence_ms for t in turns] == [early_ms, full_ms]
    said = [t["message"] for t in gateway.standin.turns if t["sender"] == session]
    assert said[:2] == ["1234", "네"]


async def test_speech_within_the_short_silence_continues_the_turn(
        gateway: Gateway, speech: Speech, timings: list[TurnTiming]) -> None:
    async with FakeAsterisk("127.0.0.1", gateway.phone_port) as call:
        session = str(call.call_id)
        await call.wait_quiet(0.5)
        await call.send_digits("1234#")
        await call.wait_quiet(0.5)
        # "네", a pause shorter than the early silence, then more: one turn, not two
        end = await call.speak(tight(speech("네", rate=8000)) + silence(100, 8000)
                               + tight(speech("아니요", rate=8000)))
        await call.speak(silence(1200, 8000))
        await call.wait_audio_after(end)
        await call.wait_quiet(0.5)
    said = [t["message"] for t in gateway.standin.turns if t["sender"] == session]
    assert len(said) == 2 and said[0] == "1234", f"the continuation was a new turn: {said}"
    assert said[1] != "네", "the turn ended before the continuation"
    assert len(mine(timings, session)) == 1


async def test_barge_in_stops_the_phone_reply(gateway: Gateway, speech: Speech) -> None:
    async with FakeAsterisk("127.0.0.1", gateway.phone_port) as call:
        await call.wait_quiet(0.5)
        await call.send_digits("55#")  # a reply of four sentences, seconds long
        pressed = time.monotonic()
        first = await call.wait_audio_after(pressed)
        await asyncio.sleep(0.6)
        started = time.monotonic()
        end = await call.speak(speech("네 감사합니다", rate=8000) + silence(900, 8000))
        over_caller = [h for h in call.heard if started + 0.6 <= h.at <= end - 0.9]
        reply_s = 0.020 * len([h for h in call.heard if first <= h.at < started + 0.6])
    assert not over_caller, "the reply went on over the caller"
    assert reply_s < len(LONG_REPLY) / 20, "the whole reply had played before the barge-in"


async def test_barge_in_stops_the_device_and_repeat_says_the_whole_reply(
        gateway: Gateway, speech: Speech) -> None:
    ws = await ws_open(gateway, "streamed-barge")
    try:
        # a first frame opens the recognizer (the model may still be loading), so that the
        # speech below is heard while the reply still plays
        await ws.send(silence(100))
        await ws.send(json.dumps({"type": "text", "text": "55"}))
        seen: list[tuple[float, Any]] = []
        await until(ws, "turn-end", seen)
        heads = [json.loads(r) for _, r in seen if isinstance(r, str)
                 and json.loads(r)["type"] == "audio"]
        assert len(heads) == 4, "one audio part per sentence"
        assert " ".join(h["text"] for h in heads) == LONG_REPLY
        await send_audio(ws, silence(200) + speech("네 감사합니다"))  # over the playing reply
        await until(ws, "stop-audio", seen)
        await ws.send(json.dumps({"type": "cancel"}))
        await until(ws, "cancelled", seen)
        await ws.send(json.dumps({"type": "repeat"}))
        repeat: list[tuple[float, Any]] = []
        head = await until(ws, "audio", repeat)
        await until(ws, "turn-end", repeat)
    finally:
        await ws.close()
    assert head["text"] == LONG_REPLY, "the repeat said only part of the reply"
