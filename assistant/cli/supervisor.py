"""Starts the stack's processes, waits until each is healthy, watches them, and stops them all.

Each child runs in its own session (process group), so stopping it also stops anything it forked:
no orphan survives Ctrl-C, SIGTERM, or the death of a sibling.

A child that dies once the stack is up is restarted alone, the others keep running: after a
back-off (`restart_backoff_s`, doubled for every restart in the window, capped at
`restart_backoff_max_s`), then waited for until healthy again. Every restart is printed and logged
with the child's name, exit code and last log lines. After `max_restarts` restarts of one child
within `restart_window_s` the supervisor gives up loudly (GaveUp) and `assistant up` stops the
stack with exit code 1, for systemd or Kubernetes to take over. A child that dies while the stack
is first starting is not restarted: that is a broken configuration, reported at once.

Output goes through assistant/cli/logfiles.py: appended and rotated by size, never truncated.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import Literal

import httpx
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from assistant.cli.logfiles import LogPump, Rotation
from assistant.cli.stack import ServiceSpec, base_env

log = logging.getLogger(__name__)

TAIL_LINES = 20


class ServiceDied(RuntimeError):
    """A child exited while the stack was starting (or, as GaveUp, too often while running)."""

    def __init__(self, spec: ServiceSpec, returncode: int | None, tail: str) -> None:
        super().__init__(f"{spec.name} exited with code {returncode}")
        self.spec = spec
        self.returncode = returncode
        self.tail = tail


class GaveUp(ServiceDied):
    """A child died more often than the restart budget allows; the supervisor stops trying."""

    def __init__(self, spec: ServiceSpec, returncode: int | None, tail: str, restarts: int,
                 window_s: float) -> None:
        super().__init__(spec, returncode, tail)
        self.restarts = restarts
        self.window_s = window_s

    def __str__(self) -> str:
        return (f"{self.spec.name} exited with code {self.returncode} after {self.restarts} "
                f"restarts within {self.window_s:.0f} s; giving up")


class StartTimeout(RuntimeError):
    """A child did not become healthy in time."""


@dataclass(frozen=True)
class RestartPolicy:
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    max_restarts: int = 5
    window_s: float = 300.0
    health_timeout_s: float = 300.0

    def delay(self, recent_restarts: int) -> float:
        return float(min(self.backoff_s * 2 ** recent_restarts, self.backoff_max_s))


def tail_lines(path: os.PathLike[str] | str, count: int = TAIL_LINES) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "".join(fh.readlines()[-count:])
    except OSError:
        return ""


State = Literal["running", "starting", "waiting", "failed"]


@dataclass
class Child:
    spec: ServiceSpec
    process: subprocess.Popen[bytes]
    pump: LogPump | None = None
    state: State = "running"
    restarts: list[float] = field(default_factory=list)  # monotonic times of restarts
    due: float = 0.0  # when a waiting child is started again
    deadline: float = 0.0  # when a starting child must be healthy
    since: float = field(default_factory=time.monotonic)

    def dead(self) -> bool:
        return self.process.poll() is not None

    def reap(self) -> tuple[int | None, str]:
        """After its death: stop what the child left behind in its group (it would hold its port
        and its pipe), let its last output reach the log, and return (exit code, last lines)."""
        _signal_group(self.process, signal.SIGKILL)
        if self.pump is not None:
            self.pump.join(timeout_s=2.0)
        return self.process.returncode, tail_lines(self.spec.log_path)

    def died(self) -> ServiceDied:
        code, tail = self.reap()
        return ServiceDied(self.spec, code, tail)


class Supervisor:
    def __init__(self, specs: list[ServiceSpec], console: Console | None = None,
                 policy: RestartPolicy | None = None, rotation: Rotation | None = None,
                 on_restart: Callable[[], None] | None = None) -> None:
        self.specs = specs
        self.on_restart = on_restart  # called after a child was started again (new pid)
        self.console = console or Console()
        self.policy = policy or RestartPolicy()
        self.rotation = rotation or Rotation()
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()  # a restart and stop() never interleave

    def _spawn(self, spec: ServiceSpec) -> tuple[subprocess.Popen[bytes], LogPump]:
        spec.log_dir.mkdir(parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        try:
            process = subprocess.Popen(
                spec.command, cwd=spec.cwd, env=base_env() | spec.env, stdout=write_fd,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        pump = LogPump(read_fd, spec.log_path, self.rotation).start()
        log.info("started %s (pid %d)", spec.name, process.pid)
        return process, pump

    def start(self) -> None:
        for spec in self.specs:
            process, pump = self._spawn(spec)
            self.children.append(Child(spec, process, pump))

    def wait_healthy(self, timeout_s: float = 300.0) -> dict[str, float]:
        """Poll every health check with a live display; raise if a child dies or times out.
        Returns the seconds from the call to each child's first healthy answer."""
        began = time.monotonic()
        deadline = began + timeout_s
        ready: dict[str, float] = {}
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
                        ready[name] = round(time.monotonic() - began, 2)
                if time.monotonic() > deadline:
                    raise StartTimeout(f"not healthy after {timeout_s:.0f} s: {sorted(pending)}")
                time.sleep(0.25)
        return ready

    def first_dead(self) -> Child | None:
        return next((child for child in self.children if child.dead()), None)

    def watch(self, poll_s: float = 0.5) -> None:
        """Restart children that die, until stop() begins (return) or a child spends its restart
        budget (raise GaveUp)."""
        with httpx.Client(timeout=1.0) as http:
            while not self.stopping.wait(poll_s):
                self.tend(http)

    def tend(self, http: httpx.Client) -> None:
        """One round of watching: notice deaths, start due restarts, check restarted health."""
        now = time.monotonic()
        for child in list(self.children):
            if child.state in ("running", "starting") and child.dead():
                self._on_death(child, now)
            elif child.state == "waiting" and now >= child.due:
                self._restart(child)
            elif child.state == "starting":
                self._check_started(child, http, now)

    def _on_death(self, child: Child, now: float) -> None:
        code, tail = child.reap()
        recent = [t for t in child.restarts if now - t < self.policy.window_s]
        child.restarts = recent
        name, budget = child.spec.name, self.policy.max_restarts
        if len(recent) >= budget:
            child.state = "failed"
            log.error("%s exited with code %s; %d restarts within %.0f s: giving up",
                      name, code, len(recent), self.policy.window_s)
            raise GaveUp(child.spec, code, tail, len(recent), self.policy.window_s)
        delay = self.policy.delay(len(recent))
        child.state, child.due = "waiting", now + delay
        log.warning("%s exited with code %s; restart %d of %d in %.0f s; its last log lines:\n%s",
                    name, code, len(recent) + 1, budget, delay, tail)
        self.console.print(f"[yellow]↻ {name} exited with code {code}; restarting it in "
                           f"{delay:g} s (restart {len(recent) + 1} of at most {budget} within "
                           f"{self.policy.window_s:g} s). Its last log lines "
                           f"({child.spec.log_path}):[/yellow]")
        self.console.print(tail.rstrip(), markup=False, highlight=False)

    def _restart(self, child: Child) -> None:
        with self._lock:
            if self.stopping.is_set():
                return
            child.process, child.pump = self._spawn(child.spec)
            now = time.monotonic()
            child.restarts.append(now)
            child.state, child.since = "starting", now
            child.deadline = now + self.policy.health_timeout_s
        if self.on_restart is not None:
            self.on_restart()

    def pids(self) -> dict[str, int]:
        """Each child's current pid, by name."""
        return {child.spec.name: child.process.pid for child in self.children}

    def _check_started(self, child: Child, http: httpx.Client, now: float) -> None:
        name = child.spec.name
        if _healthy(http, child.spec.health_url):
            child.state = "running"
            log.warning("%s restarted (pid %d), healthy after %.1f s",
                        name, child.process.pid, now - child.since)
            self.console.print(f"[green]↻ {name} restarted, healthy after "
                               f"{now - child.since:.1f} s[/green]")
        elif now > child.deadline:
            log.error("%s not healthy %.0f s after its restart; killing it",
                      name, self.policy.health_timeout_s)
            self.console.print(f"[red]{name} not healthy {self.policy.health_timeout_s:g} s "
                               "after its restart; killing it[/red]")
            _signal_group(child.process, signal.SIGKILL)  # the next round counts the death

    def stop(self) -> None:
        """Stop the children in reverse start order, one at a time: the gateway first, which
        drains its calls while the dialogue behind them still runs. Each gets SIGTERM, then
        SIGKILL after its `stop_grace_s`."""
        with self._lock:
            self.stopping.set()
            for child in reversed(self.children):
                _signal_group(child.process, signal.SIGTERM)
                try:
                    child.process.wait(timeout=child.spec.stop_grace_s)
                except subprocess.TimeoutExpired:
                    log.warning("%s ignored SIGTERM; killing it", child.spec.name)
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
                if child.pump is not None:
                    child.pump.join(timeout_s=2.0)
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
