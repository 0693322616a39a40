"""`/v1/voice` with real Vosk and TTS: auth, spoken turns, follow-ups, controls and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import websockets
from typer.testing import CliRunner

from assistant.cli.device_client import VoiceDevice, play_as_device
from assistant.cli.main import app
from audio.formats import read_wav, write_wav
from audio.types import AudioFormat
from tests.fixtures.audio.speech import Speech, silence
from tests.integration.channels.conftest import TOKEN, Gateway

WORDS = "네 감사합니다"  # espeak-ng Korean: Vosk hears words, not always these words


def utterance(speech: Speech, rate: int = 16000, text: str = WORDS) -> bytes:
    return silence(300, rate) + speech(text, rate=rate) + silence(900, rate)


@pytest.mark.parametrize("token", ["", "wrong-token"])
async def test_a_wrong_or_missing_token_is_refused_before_any_audio(
        gateway: Gateway, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(gateway.voice_url, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403


async def test_a_spoken_turn_and_a_follow_up_stay_in_one_session(
        gateway: Gateway, speech: Speech) -> None:
    async with VoiceDevice(gateway.voice_url, TOKEN, "ko", rate=8000) as device:
        first = await device.talk(utterance(speech, 8000))
        assert first.of_type("partial"), "no live partial transcript"
        assert first.transcript
        assert first.replies == ["Понятно."]
        heads = first.of_type("audio")
        assert heads and heads[0]["sample_rate"] == 8000
        assert len(first.audio) == sum(h["bytes"] for h in heads) > 8000  # > 0.5 s at 8 kHz
        turns_before = len(first.of_type("turn-end"))
        second = await device.talk(utterance(speech, 8000, "네"))  # no wake word, same socket
        assert len(second.of_type("turn-end")) > turns_before
    session = first.session_id
    assert gateway.standin.senders()[-2:] == [session, session]


async def test_query_token_typed_text_display_and_buttons(gateway: Gateway) -> None:
    url = f"{gateway.voice_url}?token=second-token"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000,
                                  "device_id": "t1", "session_id": "typed-1"}))
        assert json.loads(await ws.recv())["type"] == "ready"
        for message in ({"type": "text", "text": "1234"}, {"type": "repeat"},
                        {"type": "slower"}):
            await ws.send(json.dumps(message))
        events = await collect(ws, turn_ends=3)
    kinds = [e["type"] for e in events]
    assert {"type": "display", "text": "Номер: 1234"} in events
    assert kinds.count("audio") == 3 and kinds.count("audio-end") == 3
    assert events[kinds.index("reply")]["texts"] == ["Номер получен."]


async def test_bad_input_is_answered_and_the_session_goes_on(
        gateway: Gateway, speech: Speech) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with websockets.connect(gateway.voice_url, additional_headers=headers) as ws:
        await ws.send(b"\x01\x02" * 100)  # audio before config
        await ws.send("not json")
        await ws.send(json.dumps({"type": "config", "sample_rate": 3}))
        codes = [json.loads(await ws.recv())["code"] for _ in range(3)]
        assert codes == ["bad-order", "bad-config", "bad-config"]
        await ws.send(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(b"\x00" * 16001)  # over channels.max_frame_bytes
        await ws.send(b"\x00" * 33)  # odd byte count: cut mid-sample
        await ws.send(json.dumps({"type": "launch-rockets"}))
        await ws.send(json.dumps({"type": "config", "lang": "ko"}))
        await ws.send("[1, 2]")
        codes = [json.loads(await ws.recv())["code"] for _ in range(5)]
        assert codes == ["frame-too-large", "audio-bad-format", "unknown-message", "bad-order",
                         "bad-message"]
        pcm = utterance(speech)
        for offset in range(0, len(pcm), 3200):
            await ws.send(pcm[offset:offset + 3200])
        events = await collect(ws, turn_ends=1)
        assert any(e["type"] == "final" and e["text"] for e in events)


async def test_a_client_vanishing_mid_utterance_leaves_others_unharmed(
        gateway: Gateway, speech: Speech) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    pcm = speech(WORDS)
    async with websockets.connect(gateway.voice_url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "config", "lang": "ko", "sample_rate": 16000}))
        await ws.recv()
        await ws.send(pcm[: len(pcm) // 2])
    result = await play_as_device(gateway.voice_url, TOKEN, utterance(speech),
                                  AudioFormat(rate=16000), "ko")
    assert result.transcript and result.audio


def test_turn_and_device_commands(gateway: Gateway, speech: Speech, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "in.wav", utterance(speech), AudioFormat(rate=16000))
    reply = tmp_path / "reply.wav"
    runner = CliRunner()
    out = runner.invoke(app, ["turn", str(wav), "--session", "cli-turn-1", "--lang", "ko",
                              "-o", str(reply), "--url", gateway.voice_url, "--token", TOKEN])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout[out.stdout.index("{"):])
    assert summary["session_id"] == "cli-turn-1" and summary["transcript"]
    assert summary["replies"] == ["Понятно."] and summary["reply_audio_s"] > 0.3
    fmt, pcm = read_wav(reply)
    assert fmt.rate == 16000 and len(pcm) > 16000
    out = runner.invoke(app, ["device", str(wav), "--url", gateway.voice_url, "--token",
                              TOKEN, "--lang", "ko", "--no-realtime"])
    assert out.exit_code == 0, out.output
    kinds = [json.loads(line)["type"] for line in out.stdout.splitlines() if line.startswith("{")]
    assert "partial" in kinds and "final" in kinds and "audio" in kinds
    out = runner.invoke(app, ["device", str(wav), "--url", gateway.voice_url, "--token", "x"])
    assert out.exit_code == 1 and "HTTP 403" in out.output


async def collect(ws: websockets.ClientConnection, turn_ends: int) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    while sum(1 for e in events if e["type"] == "turn-end") < turn_ends:
        frame = await ws.recv()
        if isinstance(frame, str):
            events.append(json.loads(frame))
    return events
