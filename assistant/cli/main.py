"""The `assistant` command: start the stack, chat, train, and the voice tools."""

from __future__ import annotations

import _thread
import threading
from typing import Annotated

import typer
from rich.console import Console

from assistant.cli import device, reminders, voice
from assistant.cli.bench import commands as bench_commands
from assistant.settings import Settings, load_settings

app = typer.Typer(help="Offline voice assistant for city services.", no_args_is_help=True)
console = Console()
voice.register(app)
bench_commands.register(app)
device.register(app)
reminders.register(app)  # `assistant reminders run` (assistant/cli/reminders.py)


@app.callback()
def check_config() -> None:
    """Offline voice assistant for city services."""
    from assistant.settings import ConfigError

    try:
        load_settings()
    except ConfigError as exc:
        console.print(f"[red]config.yml: {exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def up(
    chat: Annotated[bool, typer.Option(help="Open a conversation once the stack is up.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for health checks.")] = 300.0,
    scale: Annotated[bool, typer.Option(
        help="Replicas behind HAProxy, conversations in PostgreSQL with a Redis lock store "
             "(config.yml `scale:`).")] = False,
) -> None:
    """Start city services, action server, Rasa and gateway; stop them all on Ctrl-C."""
    from contextlib import ExitStack

    from assistant.cli.logfiles import Rotation
    from assistant.cli.stack import stack
    from assistant.cli.supervisor import (
        GaveUp,
        RestartPolicy,
        ServiceDied,
        StartTimeout,
        Supervisor,
        Terminated,
        sigterm_raises,
    )
    from assistant.cli.topology import ScaleError
    from assistant.cli.training import train

    settings = load_settings()
    if train():
        console.print("[green]trained the Rasa model[/green]")
    rules = settings.supervisor
    policy = RestartPolicy(rules.restart_backoff_s, rules.restart_backoff_max_s,
                           rules.max_restarts, rules.restart_window_s,
                           rules.restart_health_timeout_s)
    rotation = Rotation(settings.log_max_bytes, settings.log_backups)
    with sigterm_raises(), ExitStack() as stores:
        supervisor = Supervisor([], console, policy, rotation)
        try:
            if scale:
                from assistant.cli.topology import scaled, specs, write_topology

                topology = stores.enter_context(scaled(settings))
                supervisor.specs = specs(topology)
                supervisor.on_restart = lambda: _rewrite(topology, supervisor)
            else:
                supervisor.specs = stack(settings)
            supervisor.start()
            supervisor.wait_healthy(timeout)
            for spec in supervisor.specs:
                console.print(f"[green]✓[/green] {spec.name:<15} {spec.url}")
            if scale:
                written = write_topology(topology, supervisor.pids())
                console.print(f"  topology      {written} (replicas, ports, pids)")
            _print_channels(settings)
            if chat:
                _converse_while_watching(supervisor, settings)
            else:
                console.print("[dim]Ctrl-C stops everything; a child that dies is restarted."
                              "[/dim]")
                supervisor.watch()
        except GaveUp as gave_up:
            console.print(f"[red]{gave_up}; stopping the stack. Its last log lines "
                          f"({gave_up.spec.log_path}):[/red]")
            console.print(gave_up.tail, markup=False, highlight=False)
            raise typer.Exit(1) from None
        except ServiceDied as died:
            console.print(f"[red]{died.spec.name} died (exit {died.returncode}); "
                          f"its last log lines ({died.spec.log_path}):[/red]")
            console.print(died.tail, markup=False, highlight=False)
            raise typer.Exit(1) from None
        except StartTimeout as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        except ScaleError as exc:
            console.print(f"[red]--scale: {exc}[/red]")
            raise typer.Exit(1) from None
        except (KeyboardInterrupt, Terminated):
            console.print("[dim]stopping...[/dim]")
        finally:
            supervisor.stop()


def _rewrite(topology: object, supervisor: object) -> None:
    """topology.json again after a restart: the replica has a new pid."""
    from assistant.cli.supervisor import Supervisor
    from assistant.cli.topology import Topology, write_topology

    assert isinstance(topology, Topology) and isinstance(supervisor, Supervisor)
    write_topology(topology, supervisor.pids())


def _print_channels(settings: Settings) -> None:
    ws = settings.url("gateway").replace("http://", "ws://")
    console.print(f"  kiosk page    {settings.url('gateway')}/kiosk")
    console.print(f"  voice devices {ws}/v1/voice   (vosk-server clients: {ws}/v1/asr?token=…)")
    if settings.channels.audiosocket_port:
        console.print(f"  phone         tcp://{settings.host}:{settings.channels.audiosocket_port}"
                      f" (Asterisk AudioSocket), {ws}/v1/audio-fork")


def _converse_while_watching(supervisor: object, settings: Settings) -> None:
    """Run the conversation in this thread; a dying child interrupts it."""
    from assistant.cli.supervisor import ServiceDied, Supervisor

    assert isinstance(supervisor, Supervisor)
    died: list[ServiceDied] = []

    def watcher() -> None:
        try:
            supervisor.watch()
        except ServiceDied as exc:
            died.append(exc)
            _thread.interrupt_main()

    threading.Thread(target=watcher, daemon=True, name="watch-children").start()
    try:
        converse(settings)
    except KeyboardInterrupt:
        if died:
            raise died[0] from None
        raise


def converse(settings: Settings) -> None:
    """Voice on the local microphone when possible, otherwise the text chat."""
    from assistant.cli.chat import run_chat
    from assistant.cli.voice_check import voice_unavailable_reason

    reason = voice_unavailable_reason(settings, settings.default_lang)
    if reason is None:
        from assistant.cli.listen import run_kiosk

        run_kiosk(settings, settings.default_lang, console)
        return
    console.print(f"[yellow]Voice is off: {reason}[/yellow] Using the text chat.")
    run_chat(settings.url("gateway"), settings.default_lang, console)


@app.command()
def listen(
    lang: Annotated[str | None, typer.Option(help="ru or en.")] = None,
    hands_free: Annotated[bool, typer.Option(help="Always listening, with barge-in.")] = False,
) -> None:
    """The kiosk on the local microphone and speaker (push-to-talk with Enter by default)."""
    from assistant.cli.listen import run_kiosk
    from assistant.cli.voice_check import voice_unavailable_reason
    from audio.types import PipelineError

    settings = load_settings()
    language = lang or settings.default_lang
    reason = voice_unavailable_reason(settings, language)
    if reason is not None:
        console.print(f"[red]Voice is off: {reason}[/red]")
        raise typer.Exit(1)
    try:
        run_kiosk(settings, language, console, hands_free)
    except PipelineError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


@app.command()
def chat(
    url: Annotated[str | None, typer.Option(help="Gateway URL.")] = None,
    lang: Annotated[str | None, typer.Option(help="ru or en.")] = None,
    channel: Annotated[str, typer.Option(help="kiosk, phone, speaker or web.")] = "web",
) -> None:
    """Talk to a running assistant in the terminal (no sound device needed)."""
    from assistant.cli.chat import run_chat

    settings = load_settings()
    run_chat(url or settings.url("gateway"), lang or settings.default_lang, console,
             channel=channel)


@app.command()
def train(force: Annotated[bool, typer.Option(help="Train even if unchanged.")] = False) -> None:
    """Train the Rasa model when nlu/ changed since the last training."""
    from rich.status import Status

    from assistant.cli.training import train as train_model

    with Status("training the Rasa model (log: var/log/train.log)...", console=console):
        trained = train_model(force=force)
    console.print("trained the Rasa model" if trained else "the Rasa model is up to date")
