"""One spoken turn through the whole running stack: WAV in over /v1/voice, reply speech out.

The stack is started by the same code as `assistant up`; the speech is Korean (the test model),
so the dialogue hears whatever Vosk made of it and answers in the session's language.
"""

from __future__ import annotations

import json
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio.formats import write_wav
from tests.fixtures.audio.speech import silence, speak
from tests.fixtures.stack import RunningStack, shared_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def running() -> Iterator[RunningStack]:
    yield from shared_stack()


def assistant(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / ".venv" / "bin" / "assistant"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_assistant_turn_speaks_a_reply_through_the_stack(running: RunningStack,
                                                         tmp_path: Path) -> None:
    question = write_wav(tmp_path / "q.wav", silence(300) + speak("안녕하세요", wpm=140)
                         + silence(1500))
    reply = tmp_path / "reply.wav"
    url = running.gateway_url.replace("http://", "ws://") + "/v1/voice"
    done = assistant("turn", str(question), "--session", "e2e-spoken", "--lang", "ko",
                     "--url", url, "-o", str(reply))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dialogue-unreachable" not in done.stdout
    with wave.open(str(reply)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getnframes() / wav.getframerate() > 0.5, "a spoken reply, not silence"

    follow_up = assistant("turn", str(question), "--session", "e2e-spoken", "--lang", "ko",
                          "--url", url, "-o", str(tmp_path / "reply2.wav"))
    assert follow_up.returncode == 0, follow_up.stdout + follow_up.stderr


def test_text_and_voice_share_the_dialogue(running: RunningStack) -> None:
    answer = running.text("e2e-shared", "здравствуйте", "ru", channel="kiosk")
    assert answer["replies"] and answer["nlu"]["intent"] == "greet", json.dumps(answer)
