"""`/v1/asr` as an unchanged vosk-server client sees it, and the mod_audio_fork media socket."""

from __future__ import annotations

import base64
import json
from typing import Any

import websockets

from tests.fixtures.audio.speech import Speech, silence
from tests.integration.channels.conftest import TOKEN, Gateway


async def vosk_client(url: str, pcm: bytes, config: dict[str, Any] | None,
                      frame: int = 8000) -> list[dict[str, Any]]:
    """What alphacep's test_simple.py does: config, 0.5 s frames, eof; one answer per frame."""
    answers: list[dict[str, Any]] = []
    async with websockets.connect(url) as ws:
        if config is not None:
            await ws.send(json.dumps({"config": config}))
        for offset in range(0, len(pcm), frame):
            await ws.send(pcm[offset:offset + frame])
            answers.append(json.loads(await ws.recv()))
        await ws.send('{"eof" : 1}')
        answers.append(json.loads(await ws.recv()))
        await ws.wait_closed()
    return answers


async def test_vosk_server_protocol(gateway: Gateway, speech: Speech) -> None:
    pcm = silence(300, 8000) + speech("네 감사합니다", rate=8000) + silence(1200, 8000)
    answers = await vosk_client(gateway.url(f"/v1/asr?lang=ko&token={TOKEN}"), pcm * 2,
                                {"sample_rate": 8000, "words": True})
    assert any("partial" in a for a in answers[:-1])
    results = [a for a in answers if "text" in a]
    assert len(results) >= 2, "an endpoint between the two utterances and the final for eof"
    assert results[0]["text"] and {"word", "start", "end", "conf"} <= set(results[0]["result"][0])
    assert "text" in answers[-1]


async def test_vosk_phrase_list_restricts_the_words(gateway: Gateway, speech: Speech) -> None:
    pcm = speech("네", rate=16000) + silence(300, 16000)
    answers = await vosk_client(gateway.url(f"/v1/asr?lang=ko&token={TOKEN}"), pcm,
                                {"sample_rate": 16000, "phrase_list": ["네", "아니요"],
                                 "words": False}, frame=16000)
    texts = [a["text"] for a in answers if a.get("text")]
    assert texts and set(texts) <= {"네", "아니요"}
    assert not any("result" in a for a in answers)


async def test_asr_default_language_without_a_model_says_so(gateway: Gateway) -> None:
    # default_lang ru: no model
    async with websockets.connect(gateway.url(f"/v1/asr?token={TOKEN}")) as ws:
        answer = json.loads(await ws.recv())
        await ws.wait_closed()
    assert "assistant models pull ru" in answer["error"]
    assert ws.close_code == 4404


async def test_asr_bad_frames_are_answered(gateway: Gateway) -> None:
    async with websockets.connect(gateway.url(f"/v1/asr?lang=ko&token={TOKEN}")) as ws:
        for frame in (b"\x00" * 33, b"\x00" * 16002, "junk", json.dumps({"nope": 1})):
            await ws.send(frame)
            assert "error" in json.loads(await ws.recv())
        await ws.send(b"\x00" * 1600)
        assert json.loads(await ws.recv()) == {"partial": ""}


async def test_audio_fork_stream(gateway: Gateway, speech: Speech) -> None:
    url = gateway.url(f"/v1/audio-fork?token={TOKEN}&sample_rate=16000")
    frames: list[bytes] = []
    events: list[dict[str, Any]] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"callId": "fs-call-1", "lang": "ko", "caller": "+7"}))
        pcm = speech("네 감사합니다", rate=16000) + silence(900, 16000)
        for offset in range(0, len(pcm), 640):  # 20 ms of L16 at 16 kHz
            await ws.send(pcm[offset:offset + 640])
        await ws.send(json.dumps({"type": "dtmf", "digits": "55#"}))
        while sum(1 for e in events if e.get("type") == "json"
                  and e["data"].get("type") == "turn-end") < 2:
            frame = await ws.recv()
            if isinstance(frame, bytes):
                frames.append(frame)
            else:
                events.append(json.loads(frame))
    kinds = [e["type"] for e in events]
    assert "transcription" in kinds and "killAudio" in kinds  # the caller spoke over the greeting
    assert sum(len(f) for f in frames) > 16000
    senders = gateway.standin.turns
    assert any(t["sender"] == "fs-call-1" and t["message"] == "55" for t in senders)


async def test_audio_fork_play_audio_messages(gateway: Gateway) -> None:
    """`?playback=json`: replies as mod_audio_fork `playAudio` messages, no binary frames."""
    url = gateway.url(f"/v1/audio-fork?token={TOKEN}&sample_rate=8000&playback=json")
    played: list[dict[str, Any]] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"callId": "fs-call-2", "lang": "ko"}))
        await ws.send(json.dumps({"type": "dtmf", "digits": "42#"}))
        turn_over = False
        while not turn_over:  # the greeting, then the keypad turn's reply and its turn-end
            frame = await ws.recv()
            assert isinstance(frame, str), "binary audio in playAudio mode"
            event = json.loads(frame)
            if event["type"] == "playAudio":
                played.append(event["data"])
            turn_over = event["type"] == "json" and event["data"].get("type") == "turn-end"
    assert len(played) >= 2  # the greeting and the reply, one message per sentence
    for data in played:
        assert data["audioContentType"] == "raw" and data["sampleRate"] == 8000
        pcm = base64.b64decode(data["audioContent"])
        assert len(pcm) > 3200 and len(pcm) % 2 == 0  # over 0.2 s of 16-bit audio
