"""The supervisor with real child processes: health waits, a dying child, no orphans."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.cli.stack import ServiceSpec
from assistant.cli.supervisor import ServiceDied, Supervisor
from tests.conftest import free_port

SERVER = """
import http.server, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # a grandchild
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404); self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def server_spec(name: str, port: int) -> ServiceSpec:
    return ServiceSpec(name=name, command=(sys.executable, "-c", SERVER, str(port)),
                       health_url=f"http://127.0.0.1:{port}/healthz",
                       url=f"http://127.0.0.1:{port}")


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


def test_starts_waits_and_stops_every_process_group() -> None:
    supervisor = Supervisor([server_spec("one", free_port()), server_spec("two", free_port())])
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


def test_a_dying_child_is_named_with_its_last_log_lines() -> None:
    script = "print('boom: port taken'); raise SystemExit(3)"
    crash = ServiceSpec(name="crasher", command=(sys.executable, "-c", script),
                        health_url="http://127.0.0.1:9/healthz", url="")
    supervisor = Supervisor([server_spec("fine", free_port()), crash])
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
