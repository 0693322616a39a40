"""`assistant up --chat` as a user runs it: the whole stack, a conversation, Ctrl-C, no orphans."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.cli.stack import RASA_MODEL
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def group_members(pgid: int) -> set[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,pgid="], capture_output=True,
                         text=True).stdout
    return {int(pid) for pid, _, group in (line.split() for line in out.splitlines())
            if int(group) == pgid}


def children_of(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    return {int(p) for p, parent in (line.split() for line in out.splitlines())
            if int(parent) == pid}


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except OSError:
        return False


class Running:
    def __init__(self, process: subprocess.Popen[str], ports: dict[str, int]) -> None:
        self.process = process
        self.ports = ports
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, needle: str, timeout_s: float = 240.0) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1.0)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            if needle in line:
                return seen
        raise AssertionError(f"never saw {needle!r}; output so far:\n{''.join(seen)}")


@pytest.fixture
def stack_up(tmp_path: Path) -> Iterator[Running]:
    if not RASA_MODEL.exists():
        pytest.fail(f"{RASA_MODEL} is missing: run `./manage.sh setup` (it trains the model)")
    ports = {name: free_port() for name in ("cityservices", "actions", "rasa", "gateway")}
    env = dict(os.environ, COLUMNS="200", CITY_DB_URL=f"sqlite:///{tmp_path / 'city.db'}")
    env |= {f"ASSISTANT_PORTS__{name.upper()}": str(port) for name, port in ports.items()}
    env["ASSISTANT_CHANNELS__AUDIOSOCKET_PORT"] = str(free_port())
    env["ASSISTANT_LOG_DIR"] = str(tmp_path / "log")
    env["ASSISTANT_ASR__MODELS_DIR"] = str(tmp_path / "no-models")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "assistant"), "up", "--chat"], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield Running(process, ports)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_up_chat_talks_in_both_languages_and_ctrl_c_leaves_nothing(stack_up: Running) -> None:
    started = stack_up.wait_for("gateway")
    up_pid = stack_up.process.pid
    spawned = children_of(up_pid)
    assert len(spawned) == 4, started
    family = set().union(*(group_members(pid) for pid in spawned))

    notice = stack_up.wait_for("Voice is off")
    assert "assistant models pull ru" in "".join(notice)

    assert stack_up.process.stdin is not None
    stack_up.process.stdin.write("/en\nhello\n")
    stack_up.process.stdin.flush()
    stack_up.wait_for("assistant:")

    gateway = f"http://127.0.0.1:{stack_up.ports['gateway']}"
    for lang, text in (("ru", "здравствуйте"), ("en", "good morning")):
        body = {"session_id": f"e2e-{lang}", "text": text, "lang": lang, "channel": "kiosk"}
        reply = httpx.post(f"{gateway}/v1/text", json=body, timeout=30).json()
        assert reply["session_id"] == f"e2e-{lang}"
        assert reply["replies"] and reply["replies"][0]["text"]
        assert not [e for e in reply["events"] if e.get("type") == "error"], reply

    for name, port in stack_up.ports.items():  # every service, Rasa's own included
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok", (name, health.text)

    stack_up.process.send_signal(signal.SIGINT)
    assert stack_up.process.wait(timeout=60) == 0
    time.sleep(0.5)
    assert not [pid for pid in family if alive(pid)], "a child outlived Ctrl-C"
