"""A scaled stack of its own: `assistant up --scale` with two replicas of every process, on free
loopback ports, a throwaway PostgreSQL and Redis, and HAProxy (assistant/cli/topology.py).

Separate from the session's shared stack (tests/fixtures/stack.py): one module uses it, and it is
stopped with Ctrl-C at the end of that module. `topology` is the topology.json it writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port
from tests.fixtures.stack import (
    ASSISTANT,
    ROOT,
    START_TIMEOUT_S,
    RunningStack,
    alive,
    children_of,
    group_members,
    require_rasa,
)

REPLICAS = 2
CITY_API_KEY = "demo-city-key"


@dataclass
class ScaledStack:
    running: RunningStack
    state_dir: Path

    @property
    def topology(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.state_dir / "topology.json").read_text())
        return loaded

    def text(self, session_id: str, text: str, lang: str = "ru") -> dict[str, Any]:
        return self.running.text(session_id, text, lang)

    def city(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-API-Key": CITY_API_KEY, **kwargs.pop("headers", {})}
        answer = httpx.request(method, f"{self.topology['cityservices']}{path}",
                               headers=headers, timeout=30, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def redis_command_calls(self, command: str) -> int:
        """How often the lock store's Redis ran `command` (INFO commandstats)."""
        conf = (self.state_dir / "redis.conf").read_text()
        password = next(line.split()[1] for line in conf.splitlines()
                        if line.startswith("requirepass "))
        port = int(self.topology["redis"].split(":")[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(f"AUTH {password}\r\nINFO commandstats\r\nQUIT\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        found = re.search(rf"cmdstat_{command}:calls=(\d+)", answer.decode())
        return int(found.group(1)) if found else 0

    def haproxy_stats(self) -> list[dict[str, str]]:
        """HAProxy's statistics as CSV rows (pxname, svname, stot, ...)."""
        stats = self.topology["haproxy"]
        answer = httpx.get(stats["stats_csv"], auth=(stats["user"], stats["password"]),
                           timeout=10)
        answer.raise_for_status()
        header, *rows = answer.text.lstrip("# ").splitlines()
        names = header.split(",")
        return [dict(zip(names, row.split(","), strict=False)) for row in rows if row]


@pytest.fixture(scope="module")
def scaled() -> Iterator[ScaledStack]:
    require_rasa()
    with tempfile.TemporaryDirectory(prefix="assistant-scale-") as tmp_name:
        tmp = Path(tmp_name)
        ports = {name: free_port() for name in ("cityservices", "actions", "rasa", "gateway")}
        env = dict(os.environ, COLUMNS="200", PYTHONUNBUFFERED="1",
                   RASA_TELEMETRY_ENABLED="false")
        env = {k: v for k, v in env.items() if k != "CITY_DB_URL"}  # PostgreSQL of its own
        env |= {f"ASSISTANT_PORTS__{name.upper()}": str(port) for name, port in ports.items()}
        env |= {f"ASSISTANT_SCALE__{kind.upper()}": str(REPLICAS)
                for kind in ("rasa", "actions", "cityservices", "gateways")}
        env |= {
            "ASSISTANT_CHANNELS__AUDIOSOCKET_PORT": str(free_port()),
            "ASSISTANT_SCALE__STATE_DIR": str(tmp / "state"),
            "ASSISTANT_LOG_DIR": str(tmp / "log"),
            "ASSISTANT_ASR__MODELS_DIR": str(tmp / "no-models"),
            "ASSISTANT_DIALOGUE__TRACKER_STORE_URL": "",  # the throwaway PostgreSQL
            "ASSISTANT_CITY__DB_URL": "",
        }
        process = subprocess.Popen(
            [*ASSISTANT, "up", "--scale", "--timeout", str(START_TIMEOUT_S)], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        running = RunningStack(process, ports)
        threading.Thread(target=running.pump, daemon=True, name="scale-output").start()
        try:
            running.wait_for("topology", timeout_s=START_TIMEOUT_S + 60)
        except AssertionError as exc:
            _stop(running)
            keep_logs(tmp / "log")
            pytest.fail(f"`assistant up --scale` did not start ({tmp / 'log'} has each "
                        f"replica's log): {exc}", pytrace=False)
        running.family = set().union(*(group_members(pid) for pid in children_of(process.pid)))
        try:
            yield ScaledStack(running, tmp / "state")
        finally:
            _stop(running)
            keep_logs(tmp / "log")


def keep_logs(logs: Path) -> None:
    """Every replica's log, for a failure's post-mortem: test-artifacts/scale-logs/."""
    kept = ROOT / "test-artifacts" / "scale-logs"
    shutil.rmtree(kept, ignore_errors=True)
    if logs.is_dir():
        shutil.copytree(logs, kept)


def _stop(running: RunningStack) -> None:
    if running.process.poll() is None:
        try:
            running.interrupt(timeout_s=120)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()
    for pid in running.family:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def wait_until(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s:g} s")
        time.sleep(0.5)
