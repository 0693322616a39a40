"""Starts the stack's processes, waits until each is healthy, watches them, and stops them all.

Each child runs in its own session (process group), so stopping it also stops anything it forked:
no orphan survives Ctrl-C, SIGTERM, or the death of a sibling.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import FrameType

import httpx
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from assistant.cli.stack import ServiceSpec, base_env

log = logging.getLogger(__name__)


class ServiceDied(RuntimeError):
    """A child exited while the stack was starting or running."""

    def __init__(self, spec: ServiceSpec, returncode: int | None, tail: str) -> None:
        super().__init__(f"{spec.name} exited with code {returncode}")
        self.spec = spec
        self.returncode = returncode
        self.tail = tail


class StartTimeout(RuntimeError):
    """A child did not become healthy in time."""


def tail_lines(path: os.PathLike[str] | str, count: int = 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "".join(fh.readlines()[-count:])
    except OSError:
        return ""


@dataclass
class Child:
    spec: ServiceSpec
    process: subprocess.Popen[bytes]

    def dead(self) -> bool:
        return self.process.poll() is not None

    def died(self) -> ServiceDied:
        return ServiceDied(self.spec, self.process.returncode, tail_lines(self.spec.log_path))


class Supervisor:
    def __init__(self, specs: list[ServiceSpec], console: Console | None = None) -> None:
        self.specs = specs
        self.console = console or Console()
        self.children: list[Child] = []
        self.stopping = threading.Event()

    def start(self) -> None:
        for spec in self.specs:
            spec.log_dir.mkdir(parents=True, exist_ok=True)
            env = base_env() | spec.env
            with open(spec.log_path, "wb") as logfile:
                process = subprocess.Popen(
                    spec.command, cwd=spec.cwd, env=env, stdout=logfile,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                )
            self.children.append(Child(spec, process))
            log.info("started %s (pid %d)", spec.name, process.pid)

    def wait_healthy(self, timeout_s: float = 300.0) -> None:
        """Poll every health check with a live display; raise if a child dies or times out."""
        deadline = time.monotonic() + timeout_s
        pending = {child.spec.name: child for child in self.children}
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as progress, \
                httpx.Client(timeout=2.0) as http:
            tasks = {name: progress.add_task(f"starting {name}", total=1) for name in pending}
            while pending:
                for name, child in list(pending.items()):
                    if child.dead():
                        raise child.died()
                    if _healthy(http, child.spec.health_url):
                        progress.update(tasks[name], completed=1,
                                        description=f"[green]{name} ready")
                        del pending[name]
                if time.monotonic() > deadline:
                    raise StartTimeout(f"not healthy after {timeout_s:.0f} s: {sorted(pending)}")
                time.sleep(0.25)

    def first_dead(self) -> Child | None:
        return next((child for child in self.children if child.dead()), None)

    def watch(self, poll_s: float = 0.5) -> None:
        """Block until a child dies (raise ServiceDied) or stop() begins (return)."""
        while not self.stopping.wait(poll_s):
            child = self.first_dead()
            if child is not None:
                raise child.died()

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left after the grace period."""
        self.stopping.set()
        for child in reversed(self.children):
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s ignored SIGTERM; killing it", child.spec.name)
            _signal_group(child.process, signal.SIGKILL)
            child.process.wait()
        self.children.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _healthy(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url).status_code == 200
    except httpx.HTTPError:
        return False


class Terminated(Exception):
    """SIGTERM arrived."""


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into an exception, and make sure Ctrl-C raises KeyboardInterrupt even when
    a parent shell started us with SIGINT ignored, so `finally` blocks stop the children."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    previous_term = signal.signal(signal.SIGTERM, handler)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
