"""The supervisor with real child processes: health waits, a dying child, no orphans, restarts
with back-off and a budget, logs appended and rotated."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from assistant.cli.logfiles import Rotation, rotate
from assistant.cli.stack import ServiceSpec
from assistant.cli.supervisor import GaveUp, RestartPolicy, ServiceDied, Supervisor
from tests.conftest import free_port

SERVER = """
import http.server, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # a grandchild
print("serving on", sys.argv[1], flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404); self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def server_spec(name: str, port: int, log_dir: Path) -> ServiceSpec:
    return ServiceSpec(name=name, command=(sys.executable, "-c", SERVER, str(port)),
                       health_url=f"http://127.0.0.1:{port}/healthz",
                       url=f"http://127.0.0.1:{port}", log_dir=log_dir)


def descendants(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,pgid="], capture_output=True, text=True).stdout
    return {int(p) for p, g in (line.split() for line in out.splitlines()) if int(g) == pid}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_starts_waits_and_stops_every_process_group(tmp_path: Path) -> None:
    supervisor = Supervisor([server_spec("one", free_port(), tmp_path),
                             server_spec("two", free_port(), tmp_path)])
    supervisor.start()
    try:
        supervisor.wait_healthy(timeout_s=30)
        groups = [child.process.pid for child in supervisor.children]
        time.sleep(0.3)
        pids = set().union(*(descendants(g) for g in groups))
        assert len(pids) >= 4, "each child and its grandchild"
    finally:
        supervisor.stop()
    time.sleep(0.2)
    assert not [pid for pid in pids if alive(pid)], "no orphan survives stop()"


def test_a_dying_child_is_named_with_its_last_log_lines(tmp_path: Path) -> None:
    script = "print('boom: port taken'); raise SystemExit(3)"
    crash = ServiceSpec(name="crasher", command=(sys.executable, "-c", script),
                        health_url="http://127.0.0.1:9/healthz", url="", log_dir=tmp_path)
    supervisor = Supervisor([server_spec("fine", free_port(), tmp_path), crash])
    supervisor.start()
    try:
        with pytest.raises(ServiceDied) as died:
            supervisor.wait_healthy(timeout_s=30)
    finally:
        supervisor.stop()
    assert died.value.spec.name == "crasher"
    assert died.value.returncode == 3
    assert "boom: port taken" in died.value.tail
    assert supervisor.children == []


FAST = RestartPolicy(backoff_s=0.1, backoff_max_s=0.4, max_restarts=3, window_s=60.0,
                     health_timeout_s=20.0)


def quiet_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, color_system=None), out


def tend_until(supervisor: Supervisor, done: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=1.0) as http:
        while not done():
            assert time.monotonic() < deadline, "the supervisor did not get there in time"
            supervisor.tend(http)
            time.sleep(0.05)


def test_a_killed_child_is_restarted_alone_and_its_log_is_continued(tmp_path: Path) -> None:
    console, out = quiet_console()
    supervisor = Supervisor([server_spec("one", free_port(), tmp_path),
                             server_spec("two", free_port(), tmp_path)], console, FAST)
    supervisor.start()
    try:
        supervisor.wait_healthy(timeout_s=30)
        one, two = supervisor.children
        first_pid, sibling_pid = one.process.pid, two.process.pid
        time.sleep(0.2)
        old_group = descendants(first_pid)
        os.kill(first_pid, signal.SIGKILL)
        tend_until(supervisor, lambda: one.state == "running" and one.process.pid != first_pid)
        assert two.process.pid == sibling_pid and two.process.poll() is None, "sibling untouched"
        assert httpx.get(one.spec.health_url).status_code == 200
        assert not [pid for pid in old_group if alive(pid)], "the dead child's group is gone"
        printed = out.getvalue()
        assert "one exited with code -9" in printed and "restart 1 of at most 3" in printed
        assert "serving on" in printed, "its last log lines are shown"
        assert "one restarted, healthy after" in printed
        log_text = (tmp_path / "one.log").read_text()
        assert log_text.count("serving on") == 2, "appended across the restart, not truncated"
    finally:
        supervisor.stop()


def test_a_child_that_keeps_dying_spends_its_budget_then_the_supervisor_gives_up(
        tmp_path: Path) -> None:
    console, out = quiet_console()
    script = "print('cannot open the database'); raise SystemExit(4)"
    crash = ServiceSpec(name="crasher", command=(sys.executable, "-c", script),
                        health_url="http://127.0.0.1:9/healthz", url="", log_dir=tmp_path)
    supervisor = Supervisor([crash], console, FAST)
    supervisor.start()
    started = time.monotonic()
    try:
        with pytest.raises(GaveUp) as gave_up:
            tend_until(supervisor, lambda: False)
    finally:
        supervisor.stop()
    assert gave_up.value.restarts == 3 and gave_up.value.returncode == 4
    assert "cannot open the database" in gave_up.value.tail
    assert "giving up" in str(gave_up.value)
    assert time.monotonic() - started >= 0.1 + 0.2 + 0.4, "waits back off: 0.1, 0.2, 0.4 s"
    printed = out.getvalue()
    assert [f"restart {n} of at most 3" in printed for n in (1, 2, 3)] == [True] * 3
    assert (tmp_path / "crasher.log").read_text().count("cannot open the database") == 4


def test_the_log_is_rotated_by_size_keeping_n_files(tmp_path: Path) -> None:
    line = "x" * 49
    script = f"for n in range(100): print(n, {line!r})"
    spec = ServiceSpec(name="chatty", command=(sys.executable, "-c", script),
                       health_url="http://127.0.0.1:9/healthz", url="", log_dir=tmp_path)
    (tmp_path / "chatty.log").write_text("from an earlier run\n")
    supervisor = Supervisor([spec], rotation=Rotation(max_bytes=1000, backups=2))
    supervisor.start()
    child = supervisor.children[0]
    child.process.wait(timeout=30)
    child.reap()
    supervisor.stop()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["chatty.log", "chatty.log.1", "chatty.log.2"]
    assert all((tmp_path / n).stat().st_size <= 1000 for n in names)
    assert (tmp_path / "chatty.log").read_text().endswith(f"99 {line}\n"), "whole lines"


def test_rotate_shifts_and_drops_the_oldest(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    for text in ("one", "two", "three"):
        log.write_text(text)
        rotate(log, backups=2)
    assert not log.exists()
    assert (tmp_path / "a.log.1").read_text() == "three"
    assert (tmp_path / "a.log.2").read_text() == "two"
    assert not (tmp_path / "a.log.3").exists()
