"""Voice file tools for the `assistant` command: transcribe, say, and `models pull|import|list`.

`register(app)` adds them to the main Typer app. Nothing heavy is imported or loaded until a
command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.cli.models import ModelManager
    from assistant.settings import Settings

models_app = typer.Typer(help="Install and list Vosk speech models.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _settings() -> Settings:
    from assistant.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def transcribe(
    file: Annotated[Path, typer.Argument(help="A PCM WAV file (8-48 kHz, mono or stereo).")],
    lang: Annotated[
        str | None, typer.Option(help="A language of asr.models (default: default_lang).")
    ] = None,
    grammar: Annotated[
        str | None, typer.Option(help='Restrict to phrases: "phrase one,phrase two".')
    ] = None,
) -> None:
    """Transcribe a WAV file with Vosk and print JSON (text, words, partials, timings)."""
    import asyncio

    from audio.asr import ModelRegistry, resolve_model_paths
    from audio.formats import read_wav
    from audio.session import AsrEngine
    from audio.session import transcribe as run_transcription
    from audio.types import PipelineError

    settings = _settings()
    language = lang or settings.default_lang
    phrases = [p.strip() for p in grammar.split(",") if p.strip()] if grammar else None
    models_dir = settings.resolve(settings.asr.models_dir)
    engine = AsrEngine(ModelRegistry(resolve_model_paths(models_dir, settings.asr.models)))
    try:
        fmt, pcm = read_wav(file)
        load_s = asyncio.run(engine.preload(language))
        result = asyncio.run(run_transcription(engine, pcm, fmt, language, phrases))
    except PipelineError as exc:
        raise _fail(f"[{exc.code}] {exc.message}") from None
    finally:
        engine.close()
    final = result.final
    out: dict[str, Any] = {
        "text": final.text,
        "confidence": final.confidence,
        "words": [vars(w) for w in final.words],
        "partials": result.partials,
        "lang": language,
        "grammar": phrases,
        "timings": {
            "model_load_s": round(load_s, 3),
            "audio_s": round(result.audio_s, 3),
            "decode_s": round(result.decode_s, 3),
            "rtf": round(result.rtf, 3),
            "final_latency_ms": round(result.final_latency_ms, 1),
        },
    }
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


def say(
    text: Annotated[str, typer.Argument(help="What to say.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="WAV file to write.")],
    lang: Annotated[str | None, typer.Option(help="ru, en (default: default_lang).")] = None,
    slow: Annotated[bool, typer.Option(help="Speak at the slow rate (tts.slow_rate).")] = False,
    rate_hz: Annotated[int, typer.Option(help="Sample rate of the WAV.")] = 16000,
) -> None:
    """Speak TEXT with pyttsx3/espeak-ng into a WAV file."""
    from audio.formats import write_wav
    from audio.tts import DEFAULT_VOICES, TtsEngine
    from audio.types import PipelineError

    settings = _settings()
    language = lang or settings.default_lang
    tts = TtsEngine(
        voices={**DEFAULT_VOICES, **settings.tts.voices},
        rate=settings.tts.rate,
        slow_rate=settings.tts.slow_rate,
    )
    try:
        speech = tts.synthesize_blocking(text, language, tts.rate_for(slow), out_rate=rate_hz)
    except PipelineError as exc:
        raise _fail(f"[{exc.code}] {exc.message}") from None
    finally:
        tts.close()
    write_wav(output, speech.pcm, speech.fmt)
    typer.echo(f"wrote {output} ({speech.duration_ms / 1000:.2f} s, {rate_hz} Hz)", err=True)


def _manager(base_url: str | None = None, progress: bool = True) -> ModelManager:
    from assistant.cli.models import OFFICIAL_MODELS, ModelManager

    settings = _settings()
    asr = settings.asr
    return ModelManager(
        models_dir=settings.resolve(asr.models_dir),
        names={**OFFICIAL_MODELS, **asr.models},
        base_url=base_url or asr.models_base_url,
        sha256=asr.sha256,
        progress=progress and sys.stderr.isatty(),
    )


@models_app.command("pull")
def models_pull(
    lang: Annotated[str, typer.Argument(help="ru or en")],
    force: Annotated[bool, typer.Option(help="Download again even if installed.")] = False,
    base_url: Annotated[
        str | None, typer.Option(help="Mirror of the model site (default: asr.models_base_url).")
    ] = None,
) -> None:
    """Download, verify (zip, SHA-256, loads) and install the official small Vosk model."""
    from assistant.cli.model_download import DownloadError
    from assistant.cli.models import ModelInstallError

    try:
        path = _manager(base_url).pull(lang, force=force)
    except (ModelInstallError, DownloadError) as exc:
        raise _fail(f"[{exc.code}] {exc.message}") from None
    typer.echo(f"installed {lang}: {path}")


@models_app.command("import")
def models_import(
    path: Annotated[Path, typer.Argument(help="A model folder or a .zip of one.")],
    lang: Annotated[str, typer.Option(help="Language the model is for.")],
) -> None:
    """Install a model from disk (offline), after checking that Vosk loads it."""
    from assistant.cli.models import ModelInstallError

    try:
        target = _manager().import_model(path, lang)
    except ModelInstallError as exc:
        raise _fail(f"[{exc.code}] {exc.message}") from None
    typer.echo(f"installed {lang}: {target}")


@models_app.command("list")
def models_list() -> None:
    """Show the installed models, and the configured languages that have none."""
    manager = _manager()
    installed = manager.list_models()
    for model in installed:
        sha = (model.sha256 or "-")[:12]
        size = model.size_bytes / 1e6
        typer.echo(f"{model.lang or '?':<4} {model.name:<32} {size:8.1f} MB  sha256 {sha}")
    have = {m.name for m in installed}
    for lang, name in sorted(manager.names.items()):
        if name not in have:
            typer.echo(f"{lang:<4} {name:<32} not installed: `assistant models pull {lang}`")


def register(app: typer.Typer) -> None:
    """Add `transcribe`, `say` and `models ...` to the main `assistant` command."""
    app.command()(transcribe)
    app.command()(say)
    app.add_typer(models_app, name="models")
