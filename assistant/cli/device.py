"""`assistant device` and `assistant turn`: a WAV file spoken to the running gateway's `/v1/voice`.

- `assistant device --url ws://host:8080/v1/voice --token T FILE.wav` behaves like a smart
  speaker: streams the file in real time, prints every event as a JSON line, and can write the
  reply audio (`-o reply.wav`).
- `assistant turn FILE.wav --session S -o reply.wav` runs one spoken turn through the whole
  running stack (URL and token from config.yml) and prints a JSON summary.
`register(app)` adds both to the main command; nothing heavy is imported until one runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.cli.device_client import DeviceResult


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _run(url: str, token: str, file: Path, lang: str | None, session: str | None,
         realtime: bool, print_events: bool) -> DeviceResult:
    import asyncio

    import websockets

    from assistant.cli.device_client import play_as_device
    from audio.formats import read_wav
    from audio.types import PipelineError

    def show(event: dict[str, Any]) -> None:
        if print_events:
            typer.echo(json.dumps(event, ensure_ascii=False))

    try:
        fmt, pcm = read_wav(file)
        return asyncio.run(play_as_device(url, token, pcm, fmt, lang, session, realtime, show))
    except PipelineError as exc:
        raise _fail(f"[{exc.code}] {exc.message}") from None
    except websockets.InvalidStatus as exc:
        status = exc.response.status_code
        hint = " (wrong or missing --token)" if status in (401, 403) else ""
        raise _fail(f"the gateway refused the connection: HTTP {status}{hint}") from None
    except (OSError, TimeoutError, ConnectionError) as exc:
        raise _fail(f"cannot talk to {url}: {exc}. Is the gateway running (`assistant up`)?") \
            from None


def _write_reply(result: DeviceResult, output: Path | None) -> None:
    if output is None:
        return
    from audio.formats import write_wav
    from audio.types import AudioFormat

    write_wav(output, bytes(result.audio), AudioFormat(rate=result.sample_rate))
    seconds = len(result.audio) / (2 * result.sample_rate)
    typer.echo(f"wrote {output} ({seconds:.2f} s, {result.sample_rate} Hz)", err=True)


def device(
    file: Annotated[Path, typer.Argument(help="A PCM WAV file (8-48 kHz).")],
    url: Annotated[str | None, typer.Option(help="ws://host:port/v1/voice")] = None,
    token: Annotated[str | None, typer.Option(help="Device bearer token.")] = None,
    lang: Annotated[str | None, typer.Option(help="ru, en or ko.")] = None,
    session: Annotated[str | None, typer.Option(help="Session id to continue.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the reply audio here.")] = None,
    realtime: Annotated[bool, typer.Option(help="Stream at real-time pace.")] = True,
) -> None:
    """Play a WAV file to /v1/voice as a smart speaker would; print the events as JSON lines."""
    default_url, default_token = _defaults()
    result = _run(url or default_url, token or default_token, file, lang, session, realtime,
                  print_events=True)
    _write_reply(result, output)


def turn(
    file: Annotated[Path, typer.Argument(help="A PCM WAV file with one utterance.")],
    session: Annotated[str, typer.Option(help="Session id; reuse it for follow-up turns.")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the reply as a WAV.")] = None,
    lang: Annotated[str | None, typer.Option(help="ru, en or ko (default: default_lang).")]
    = None,
    url: Annotated[str | None, typer.Option(help="Gateway /v1/voice URL.")] = None,
    token: Annotated[str | None, typer.Option(help="Device token.")] = None,
) -> None:
    """One spoken turn through the running stack: prints a JSON summary, writes the reply."""
    default_url, default_token = _defaults()
    result = _run(url or default_url, token or default_token, file, lang, session,
                  realtime=False, print_events=False)
    errors = [{"code": e.get("code"), "message": e.get("message")}
              for e in result.of_type("error")]
    summary = {
        "session_id": result.session_id,
        "transcript": result.transcript,
        "replies": result.replies,
        "events": [e for r in result.of_type("reply") for e in r.get("events", [])],
        "display": [e.get("text") for e in result.of_type("display")],
        "errors": errors,
        "reply_audio_s": round(len(result.audio) / (2 * result.sample_rate), 3),
        "ended": result.closed_by_server,
    }
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    _write_reply(result, output)


def _defaults() -> tuple[str, str]:
    from assistant.settings import load_settings

    settings = load_settings()
    url = settings.url("gateway").replace("http://", "ws://", 1) + "/v1/voice"
    tokens = settings.channels.voice_tokens
    return url, tokens[0] if tokens else ""


def register(app: typer.Typer) -> None:
    """Add `device` and `turn` to the main `assistant` command."""
    app.command()(device)
    app.command()(turn)
