"""The phone hotline over AudioSocket, spoken to exactly as Asterisk does: byte-level frames,
one 20 ms frame of 8 kHz audio every 20 ms in real time, DTMF between frames, hangup."""

from __future__ import annotations

import asyncio
import struct
import time

import pytest

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.gateway.channels.audiosocket_protocol import FRAME_BYTES, Kind, audio
from tests.fixtures.audio.speech import Speech, silence
from tests.integration.channels.conftest import Gateway
from tests.integration.channels.support import POLICY

HOST = "127.0.0.1"
IDLE_S = 3.0


def caller(gateway: Gateway) -> FakeAsterisk:
    return FakeAsterisk(HOST, gateway.phone_port)


def words(speech: Speech) -> bytes:
    return speech("네 감사합니다", rate=8000)


async def test_greeting_first_paced_then_a_spoken_turn(gateway: Gateway, speech: Speech) -> None:
    async with caller(gateway) as call:
        await call.wait_quiet(1.0)  # a loaded machine can pause the paced greeting for a moment
        greeting = call.heard
        assert greeting, "the caller heard no greeting"
        assert all(len(h.pcm) == FRAME_BYTES for h in greeting)
        audio_s = len(greeting) * 0.020
        spread_s = greeting[-1].at - greeting[0].at
        assert spread_s > 0.8 * audio_s - 0.1, "reply audio was not paced in real time"
        end = await call.speak(words(speech))
        await call.speak(silence(800, 8000))
        # The reply waits for the trailing silence (600 ms here), minus the quiet tail of the
        # synthetic speech that the voice detector already counts as silence.
        assert await call.wait_audio_after(end) - end > 0.3
        await call.wait_quiet(0.3)
    assert str(call.call_id) in gateway.standin.senders()


async def test_barge_in_stops_the_prompt(gateway: Gateway, speech: Speech) -> None:
    async with caller(gateway) as call:
        await call.wait_audio_after(0.0)
        started = time.monotonic()
        end = await call.speak(words(speech) + silence(700, 8000))
        cut = call.audio_after(started + 0.6)
        greeting_after_speech = [h for h in call.heard if started + 0.6 <= h.at <= end - 0.7]
        assert not greeting_after_speech, f"the prompt went on over the caller ({len(cut)} B)"
        await call.wait_audio_after(end - 0.7)  # and the caller's turn is answered


async def test_keypad_digits_answer_a_number_question(gateway: Gateway) -> None:
    async with caller(gateway) as call:
        await call.wait_audio_after(0.0)
        await call.send_digits("4")  # a key stops the greeting too
        pressed = time.monotonic()
        await call.send_digits("2*12345#")  # * clears what came before
        reply_at = await call.wait_audio_after(pressed + 0.2)
        assert reply_at > pressed
    turns = [t for t in gateway.standin.turns if t["sender"] == str(call.call_id)]
    assert turns and turns[-1]["message"] == "12345"
    assert turns[-1]["metadata"]["channel"] == "phone"


async def test_handoff_speaks_posts_the_masked_summary_and_hangs_up(gateway: Gateway) -> None:
    async with caller(gateway) as call:
        await call.wait_audio_after(0.0)
        await call.send_digits("0#")
        await asyncio.wait_for(call.hung_up.wait(), 30)
        assert call.heard
    posts = [p for p in gateway.standin.handoffs if p["call_id"] == str(call.call_id)]
    assert len(posts) == 1
    body = str(posts[0])
    assert POLICY not in body and POLICY[-4:] in body
    assert posts[0]["channel"] == "phone"


async def test_bad_callers_do_not_disturb_a_good_one(gateway: Gateway, speech: Speech,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A caller that goes quiet is closed after the idle timeout; a short one keeps this test
    # short. The good caller sends a frame every 20 ms, as Asterisk does, so it never idles.
    monkeypatch.setattr(gateway.settings.channels, "idle_timeout_s", IDLE_S)
    async def good_call() -> None:
        async with caller(gateway) as call:
            await call.wait_audio_after(0.0)
            await asyncio.sleep(0.5)
            call.send_raw(audio(b"\x01" * 161).encode())  # odd byte count: dropped
            pressed = time.monotonic()
            await call.send_digits("777#")
            await call.wait_audio_after(pressed + 0.2)

    async def bad(first: bytes, then: bytes = b"") -> bool:
        reader, writer = await asyncio.open_connection(HOST, gateway.phone_port)
        writer.write(first)
        await asyncio.sleep(0.3)
        writer.write(then)
        # the idle timeout closes a caller that went quiet; the server closes, not this limit
        closed = await asyncio.wait_for(read_until_closed(reader), IDLE_S + 30)
        writer.close()
        return closed

    async def vanishing() -> None:
        async with caller(gateway) as call:
            await call.wait_audio_after(0.0)
            call._out += words(speech)[:6000]  # half an utterance
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.1)  # the socket is gone mid-utterance

    uuid_msg = bytes([Kind.UUID]) + struct.pack(">H", 16) + bytes(range(16))
    results = await asyncio.gather(
        good_call(),
        bad(audio(bytes(FRAME_BYTES)).encode()),  # audio before the UUID
        bad(uuid_msg, b"\x42\x00\x01\x00"),  # an unknown message kind
        bad(uuid_msg, bytes([Kind.AUDIO]) + struct.pack(">H", 20000) + bytes(20000)),  # too big
        bad(uuid_msg, bytes([Kind.AUDIO, 0x01])),  # a header cut short, then silence
        bad(b"GET / HTTP/1.1\r\n\r\n"),  # junk
        vanishing(),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    assert results[1:6] == [True, True, True, True, True]


async def read_until_closed(reader: asyncio.StreamReader) -> bool:
    while await reader.read(4096):
        pass
    return True
