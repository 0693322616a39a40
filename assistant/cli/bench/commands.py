"""`assistant bench ...`: benchmark commands. Each writes JSON and carries its own baseline."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from assistant.settings import Settings, load_settings


def korean() -> dict[str, str]:
    """Settings that ask for the Korean test model (never served unless asked for): its path,
    the language accepted, and replies read by the Russian voice."""
    from audio.asr import builtin_model_paths

    env = {"ASSISTANT_TTS__VOICES": '{"ru": "ru", "en": "en-us", "ko": "ru"}',
           "ASSISTANT_LANGUAGES": '["ru", "en", "ko"]'}
    ko = builtin_model_paths().get("ko")
    if ko is not None:
        env["ASSISTANT_ASR__MODELS__KO"] = str(ko)
    return env

bench = typer.Typer(help="Benchmarks that write JSON.", no_args_is_help=True)
console = Console()


@contextmanager
def bench_stack(extra_env: dict[str, str] | None = None,
                ready: dict[str, float] | None = None) -> Iterator[Settings]:
    """A stack of its own on free ports (started by the same code as `assistant up`), so a
    benchmark never disturbs, or is disturbed by, a stack already running here. `ready`, when
    given, receives the seconds from the start to each process's first healthy answer."""
    import os
    import tempfile

    from assistant.cli.stack import stack, with_secrets
    from assistant.cli.supervisor import Supervisor
    from assistant.cli.training import train

    train()
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        os.environ.update({f"ASSISTANT_PORTS__{name.upper()}": str(_free_port())
                           for name in ("cityservices", "actions", "rasa", "gateway")})
        os.environ.update({"ASSISTANT_CHANNELS__AUDIOSOCKET_PORT": str(_free_port()),
                           "CITY_DB_URL": f"sqlite:///{tmp}/city.db",
                           "ASSISTANT_DIALOGUE__TRACKER_STORE_URL": f"sqlite:///{tmp}/tracker.db",
                           "ASSISTANT_LOG_DIR": f"{tmp}/log", **(extra_env or {})})
        settings = with_secrets(load_settings())  # the benches call Rasa with its token
        supervisor = Supervisor(stack(settings), console)
        try:
            began = time.monotonic()
            supervisor.start()
            started = time.monotonic() - began
            healthy = supervisor.wait_healthy()
            if ready is not None:
                ready.update({name: round(started + s, 2) for name, s in healthy.items()})
            yield settings
        finally:
            supervisor.stop()
            os.environ.clear()
            os.environ.update(saved)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_json(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    console.print_json(json.dumps({k: v for k, v in result.items() if k != "examples"},
                                  ensure_ascii=False))
    console.print(f"[green]wrote {out}[/green]")


@bench.command("voice")
def voice(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/voice.json"),
    lang: Annotated[str, typer.Option(help="Model language (ko: the test model).")] = "ko",
    turns: Annotated[int, typer.Option(help="Spoken turns through the stack.")] = 10,
    streams: Annotated[str, typer.Option(help="Concurrent stream counts.")] = "1,2,4,8",
) -> None:
    """ASR RTF alone and concurrent, turn latencies, memory; plus grammar vs open vocabulary."""
    from assistant.cli.bench.asr import bench_grammar
    from assistant.cli.bench.voice import run_voice_bench

    counts = [int(n) for n in streams.split(",") if n.strip()]
    with bench_stack(korean() if lang == "ko" else None) as settings:
        result = run_voice_bench(settings, lang, counts, turns)
    result["grammar_vs_open"] = bench_grammar(lang=lang) if lang == "ko" else None
    write_json(result, out)


@bench.command("start")
def start(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/start.json"),
    rounds: Annotated[int, typer.Option(help="Cold starts of the whole stack.")] = 2,
) -> None:
    """Cold start: seconds from `assistant up`'s start to each process healthy, against the
    import of Rasa alone in its environment (the floor that every start pays)."""
    from assistant.cli.bench.start import rasa_import_s, summary

    starts: list[dict[str, float]] = []
    floors: list[float] = []
    for _ in range(rounds):
        floors.append(rasa_import_s())
        ready: dict[str, float] = {}
        with bench_stack(ready=ready):
            starts.append(ready)
    write_json(summary(starts, floors), out)


@bench.command("nlu")
def nlu(out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/nlu.json")) -> None:
    """Intent accuracy and entity F1 per language on the held-out Vosk-style set."""
    from assistant.cli.bench.nlu import evaluate, load_cases

    with bench_stack() as settings:
        result = evaluate(settings.url("rasa"), load_cases(), settings.secrets.rasa_token)
    write_json(result, out)


@bench.command("phone")
def phone(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/phone.json"),
    calls: Annotated[str, typer.Option(help="Concurrent call counts.")] = "1,2,4,6,8",
    turns: Annotated[int, typer.Option(help="Spoken turns per call.")] = 2,
    silence_ms: Annotated[int | None, typer.Option(
        help="Phone trailing silence for this run (default: endpointing.phone).")] = None,
    restricted: Annotated[bool, typer.Option(
        help="Yes/no and digit answers, early endpointing on and off (in process).")] = False,
) -> None:
    """N concurrent AudioSocket calls in real time: end of speech to first reply audio."""
    from assistant.cli.bench.phone import run_phone_bench, run_restricted_bench

    if restricted:
        overrides: dict[str, Any] = {
            "languages": ["ru", "en", "ko"], "tts": {"voices": {"ru": "ru", "en": "en-us",
                                                                 "ko": "ru"}}}
        ko = korean().get("ASSISTANT_ASR__MODELS__KO")
        if ko:
            overrides["asr"] = {"models": {"ko": ko}}
        settings = load_settings(**overrides)
        if silence_ms is not None:
            row = settings.endpointing_for("phone").model_copy(update={"silence_ms": silence_ms})
            settings = settings.model_copy(update={
                "endpointing": {**settings.endpointing, "phone": row}})
        write_json(run_restricted_bench(settings, turns), out)
        return
    ns = [int(n) for n in calls.split(",") if n.strip()]
    env = korean() | {"ASSISTANT_CHANNELS__PHONE_LANG": "ko",
                      # measured past the admission limit too: the bench finds where it lies
                      "ASSISTANT_ASR__MAX_STREAMS": str(max(ns, default=1))}
    if silence_ms is not None:
        env["ASSISTANT_ENDPOINTING__PHONE__SILENCE_MS"] = str(silence_ms)
    with bench_stack(env) as settings:
        result = run_phone_bench(ns, settings.host, settings.channels.audiosocket_port, turns,
                                 settings.endpointing_for("phone").silence_ms)
    write_json(result, out)


@bench.command("calls")
def calls(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/calls.json"),
    cores: Annotated[int, typer.Option(help="CPU cores to pin the bench to.")] = 1,
    levels: Annotated[str, typer.Option(help="Concurrent call counts to try, rising.")] = (
        "1,2,3,4,5,6,8,10,12,14,16,20,24,28,32"),
    grammar: Annotated[bool, typer.Option(help="Digits grammar (else open vocabulary).")] = True,
    utterances: Annotated[int, typer.Option(help="Utterances per call.")] = 5,
) -> None:
    """Calls per core at p95 < 1 s: a bare vosk-server loop vs our gated ASR, same audio."""
    from assistant.cli.bench.calls import run_calls_bench
    from audio.endpointing import EndpointConfig

    row = load_settings().endpointing_for("phone").model_dump()
    result = run_calls_bench(cores, [int(n) for n in levels.split(",") if n.strip()],
                             EndpointConfig.from_mapping(row), grammar, utterances)
    write_json(result, out)


@bench.command("text")
def text(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/text.json"),
    parallel: Annotated[int, typer.Option(
        help="Also N callers at once playing the booking dialogues (0: none).")] = 0,
    rounds: Annotated[int, typer.Option(help="Times each parallel caller plays them.")] = 1,
    pace_s: Annotated[float, typer.Option(
        help="Also the parallel callers paced as on the phone: this mean pause between an "
             "answer and the next line (0: only back to back).")] = 0.0,
    one_action: Annotated[int, typer.Option(
        help="One-action turns (a Troika balance in one line) timed alone.")] = 200,
) -> None:
    """`/v1/text` p50/p95 over the bench's Vosk-style dialogues and one-action turns, against
    GET /healthz."""
    from assistant.cli.bench.text import (
        booking_dialogues,
        load_dialogues,
        run_one_action_bench,
        run_parallel_text_bench,
        run_text_bench,
    )

    dialogues = load_dialogues()
    with bench_stack() as settings:
        gateway = settings.url("gateway")
        result = run_text_bench(gateway, dialogues)
        if one_action > 0:
            result["one_action"] = run_one_action_bench(gateway, one_action)
        if parallel > 0:
            bookings = booking_dialogues(dialogues)
            result["parallel"] = run_parallel_text_bench(gateway, bookings, parallel, rounds)
            if pace_s > 0:
                result["parallel_paced"] = run_parallel_text_bench(
                    gateway, bookings, parallel, rounds, pace_s=pace_s)
    result["dialogues"] = {lang: sum(d.lang == lang for d in dialogues)
                           for lang in sorted({d.lang for d in dialogues})}
    write_json(result, out)


@bench.command("dialogues")
def dialogues(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/dialogues.json"),
    lang: Annotated[str, typer.Option(help="Languages to play, comma-separated.")] = "ru,en",
) -> None:
    """The realistic dialogue suite: goal-driven conversations checked through the city API;
    the pass rate per language and every failure with its reason."""
    import os

    from assistant.cli.bench.realistic import load_suite, run_suite

    suite = load_suite([code.strip() for code in lang.split(",") if code.strip()])

    def progress(outcome: Any) -> None:
        mark = "[green]pass[/green]" if outcome.passed else f"[red]FAIL[/red] {outcome.reason}"
        console.print(f"{outcome.lang} {outcome.name}: {mark}")

    with bench_stack() as settings:
        key = os.environ.get("CITY_API_KEY", settings.city.api_key)
        result = run_suite(settings.url("gateway"), settings.url("cityservices"), suite,
                           progress, city_key=key)
    write_json(result, out)


@bench.command("load")
def load(
    out: Annotated[Path, typer.Option("-o", "--out")] = Path("var/bench/load.json"),
    users: Annotated[int, typer.Option(help="Text callers (booking dialogues).")] = 16,
    phone_users: Annotated[int, typer.Option(help="AudioSocket callers (Korean speech; the "
                                             "stack's phone language must be ko).")] = 4,
    run_time: Annotated[float, typer.Option(help="Seconds of load.")] = 60.0,
    gateway: Annotated[list[str] | None, typer.Option(
        help="A running stack's gateway URL, loopback only (repeatable). None: start a "
             "single-box stack of its own.")] = None,
    audiosocket: Annotated[list[str] | None, typer.Option(
        help="A running stack's AudioSocket host:port, loopback only (repeatable).")] = None,
    city: Annotated[str | None, typer.Option(
        help="The running stack's city API URL (for the audit of the bookings).")] = None,
    kill_pid: Annotated[int | None, typer.Option(help="SIGKILL this pid (a Rasa replica) "
                                                 "after --kill-after s of load.")] = None,
    kill_port: Annotated[int | None, typer.Option(help="SIGKILL the process listening on this "
                                                  "port (a Rasa replica).")] = None,
    kill_after: Annotated[float, typer.Option(help="Seconds of load before the kill.")] = 20.0,
    topology: Annotated[Path | None, typer.Option(
        help="A running `assistant up --scale`'s topology.json (var/scale/): its targets.")] = None,
    kill_rasa: Annotated[int | None, typer.Option(
        help="With --topology: SIGKILL Rasa replica N (1-based) after --kill-after s.")] = None,
    langs: Annotated[str, typer.Option(help="Languages of the text callers.")] = "ru,en",
    think: Annotated[float, typer.Option(help="Seconds between a caller's dialogues.")] = 0.0,
    label: Annotated[str, typer.Option(help="A name for this round in the JSON.")] = "",
) -> None:
    """Locust: booking dialogues over /v1/text and AudioSocket calls at once; turns/s per core,
    p50/p95 per turn, errors, double and lost bookings (from the city), /healthz baseline."""
    from assistant.cli.bench.load import run_load_command

    try:
        result = run_load_command(
            users=users, phone_users=phone_users, run_time=run_time, gateways=gateway or [],
            audiosockets=audiosocket or [], city=city, kill_pid=kill_pid, kill_port=kill_port,
            kill_after=kill_after, langs=[x.strip() for x in langs.split(",") if x.strip()],
            think=think, label=label, topology=topology, kill_rasa=kill_rasa)
    except ValueError as exc:  # a target off this machine, a missing option
        raise typer.BadParameter(str(exc)) from None
    write_json(result, out)


def register(app: typer.Typer) -> None:
    app.add_typer(bench, name="bench")
