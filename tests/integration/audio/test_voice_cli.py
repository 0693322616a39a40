"""`assistant transcribe`, `assistant say` and `assistant models list`, through Typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.cli.voice import register
from audio.formats import read_wav, write_wav
from audio.types import AudioFormat
from tests.fixtures.audio.speech import YES_NO, Speech


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ko_model_path: Path) -> typer.Typer:
    monkeypatch.setenv("ASSISTANT_ASR__MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("ASSISTANT_ASR__MODELS__KO", str(ko_model_path))  # asked for by name
    main = typer.Typer()
    register(main)
    return main


def test_transcribe_prints_json(app: typer.Typer, tmp_path: Path, speech: Speech) -> None:
    wav = write_wav(tmp_path / "yes.wav", speech("네", rate=8000), AudioFormat(rate=8000))
    result = CliRunner().invoke(app, ["transcribe", str(wav), "--lang", "ko",
                                      "--grammar", ",".join(YES_NO)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["text"] == "네" and out["grammar"] == YES_NO
    assert out["words"][0]["word"] == "네"
    assert out["partials"] >= 1
    assert set(out["timings"]) >= {"model_load_s", "audio_s", "rtf", "final_latency_ms"}


def test_transcribe_without_a_model_names_the_fix(app: typer.Typer, tmp_path: Path,
                                                  speech: Speech) -> None:
    wav = write_wav(tmp_path / "a.wav", speech("네"), AudioFormat())
    result = CliRunner().invoke(app, ["transcribe", str(wav), "--lang", "ru"])
    assert result.exit_code == 1
    assert "assistant models pull ru" in result.output


def test_transcribe_a_broken_file(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....garbage")
    result = CliRunner().invoke(app, ["transcribe", str(bad), "--lang", "ko"])
    assert result.exit_code == 1 and "audio-bad-format" in result.output


def test_say_writes_a_wav(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    result = CliRunner().invoke(app, ["say", "Добрый день", "--lang", "ru", "-o", str(out)])
    assert result.exit_code == 0, result.output
    fmt, pcm = read_wav(out)
    assert fmt.rate == 16000 and len(pcm) > 16000


def test_models_list_shows_what_is_missing(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["models", "list"])
    assert result.exit_code == 0
    assert "not installed: `assistant models pull ru`" in result.output
