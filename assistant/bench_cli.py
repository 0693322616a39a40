"""`assistant bench ...`: benchmark commands. Each writes JSON and carries its own baseline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from assistant.settings import Settings, load_settings

bench = typer.Typer(help="Benchmarks that write JSON.", no_args_is_help=True)
console = Console()


def stack_is_up(settings: Settings) -> bool:
    try:
        return httpx.get(f"{settings.url('rasa')}/status", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running_stack(settings: Settings) -> Iterator[None]:
    """Use the stack already running on the configured ports, or start one for the benchmark."""
    if stack_is_up(settings):
        yield
        return
    from assistant.services import stack
    from assistant.supervisor import Supervisor

    supervisor = Supervisor(stack(settings), console)
    supervisor.start()
    try:
        supervisor.wait_healthy()
        yield
    finally:
        supervisor.stop()


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
    from assistant.voice_bench import run_voice_bench
    from audio.bench import bench_grammar

    settings = load_settings()
    counts = [int(n) for n in streams.split(",") if n.strip()]
    with running_stack(settings):
        result = run_voice_bench(settings, lang, counts, turns)
    result["grammar_vs_open"] = bench_grammar(lang=lang) if lang == "ko" else None
    write_json(result, out)


def register(app: typer.Typer) -> None:
    app.add_typer(bench, name="bench")
