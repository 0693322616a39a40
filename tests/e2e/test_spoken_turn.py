"""One spoken turn through the whole running stack: WAV in over /v1/voice, reply speech out.

The stack is started by the same code as `assistant up`; the speech is Korean (the test model),
so the dialogue hears whatever Vosk made of it and answers in the session's language.
"""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path
from typing import Any

from audio.formats import write_wav
from tests.fixtures.audio.speech import silence, speak
from tests.fixtures.stack import ASSISTANT, ROOT, RunningStack


def assistant(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ASSISTANT, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def spoken_turn(stack: RunningStack, wav: Path, reply: Path) -> dict[str, Any]:
    """`assistant turn` through the stack's /v1/voice; its JSON summary, checked."""
    url = stack.gateway_url.replace("http://", "ws://") + "/v1/voice"
    done = assistant("turn", str(wav), "--session", "e2e-spoken", "--lang", "ko", "--url", url,
                     "-o", str(reply))
    assert done.returncode == 0, done.stdout + done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    assert summary["errors"] == [], summary  # dialogue-unreachable among them
    assert summary["transcript"], f"Vosk heard nothing: {summary}"
    assert summary["replies"] and all(summary["replies"]), summary
    with wave.open(str(reply)) as wav_in:
        assert wav_in.getnchannels() == 1 and wav_in.getsampwidth() == 2
        assert wav_in.getnframes() / wav_in.getframerate() > 0.5, "a spoken reply, not silence"
    return summary


def test_assistant_turn_speaks_a_reply_through_the_stack(stack: RunningStack,
                                                         tmp_path: Path) -> None:
    question = write_wav(tmp_path / "q.wav", silence(300) + speak("안녕하세요", wpm=140)
                         + silence(1500))
    first = spoken_turn(stack, question, tmp_path / "reply.wav")
    follow_up = spoken_turn(stack, question, tmp_path / "reply2.wav")  # the same session goes on
    assert follow_up["session_id"] == first["session_id"]


def test_text_and_voice_share_the_dialogue(stack: RunningStack) -> None:
    answer = stack.text("e2e-shared", "здравствуйте", "ru", channel="kiosk")
    assert answer["replies"] and answer["nlu"]["intent"] == "greet", json.dumps(answer)
