"""`assistant bench load`: mixed traffic from locust against a stack on this machine.

Text callers book doctors over `POST /v1/text` and phone callers speak over AudioSocket (see
load_users.py, the locustfile); `GET /healthz` under the same load is the baseline. Locust runs
headless in its own process (it patches the standard library with gevent on import), bounded
by a run time and a user count, and only against loopback addresses. Optionally one process (a
Rasa replica, by pid or listening port) is killed with SIGKILL after N seconds of load.

Afterwards the city service itself is asked for double bookings and lost bookings
(load_audit.py). The result: turns/s per core, p50/p95 per turn, errors (also those after the
kill), dialogue outcomes, double and lost bookings.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.cli.bench.load_audit import audit
from assistant.cli.bench.load_script import pair
from assistant.cli.bench.stats import percentile

LOCUSTFILE = Path(__file__).with_name("load_users.py")
STOP_TIMEOUT_S = 90  # a dialogue in progress when the run time ends may finish


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_url(url: str) -> str:
    """`url` if it names a loopback host; else ValueError (the load test stays on this machine)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http URL: {url!r}")
    if not is_loopback(parts.hostname):
        raise ValueError(f"{url!r} is not a loopback address: the load test is sent to this "
                         "machine only")
    return url.rstrip("/")


def loopback_address(address: str) -> tuple[str, int]:
    """"host:port" of a loopback AudioSocket server; else ValueError."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not host:port: {address!r}")
    if not is_loopback(host):
        raise ValueError(f"{address!r} is not a loopback address: the load test is sent to this "
                         "machine only")
    return host.strip("[]"), int(port)


def pid_listening_on(port: int) -> int | None:
    """The process that listens on TCP `port` (from /proc), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


@dataclass
class LoadPlan:
    gateways: list[str]
    city_url: str
    city_key: str
    audiosockets: list[tuple[str, int]] = field(default_factory=list)
    text_users: int = 16
    phone_users: int = 0
    run_time_s: float = 60.0
    langs: list[str] = field(default_factory=lambda: ["ru", "en"])
    phone_turns: int = 2
    phone_silence_ms: int = 500
    think_s: float = 0.0
    kill_pid: int | None = None
    kill_after_s: float = 20.0
    label: str = ""

    def __post_init__(self) -> None:
        self.gateways = [loopback_url(g) for g in self.gateways]
        self.city_url = loopback_url(self.city_url)
        for host, _ in self.audiosockets:
            loopback_address(f"{host}:0")
        if not self.gateways:
            raise ValueError("no gateway to load")
        if self.phone_users and not self.audiosockets:
            raise ValueError("phone callers need an AudioSocket address")
        if self.run_time_s <= 0 or self.text_users < 0 or self.phone_users < 0:
            raise ValueError("the run time and the user counts must be positive")


def summary(samples: Sequence[float]) -> dict[str, float | int | None]:
    if not samples:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"count": len(samples), "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1), "max_ms": round(max(samples), 1)}


def _killer(plan: LoadPlan, killed: dict[str, Any]) -> threading.Timer | None:
    if plan.kill_pid is None:
        return None
    pid = plan.kill_pid

    def kill() -> None:
        killed["at_epoch"] = time.time()
        try:
            os.kill(pid, signal.SIGKILL)
            killed["done"] = True
        except ProcessLookupError:
            killed["done"] = False
    timer = threading.Timer(plan.kill_after_s, kill)
    timer.daemon = True
    return timer


def run_locust(plan: LoadPlan, workdir: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Locust headless in its own process; (the locustfile's raw results, the kill, its output
    tail)."""
    if importlib.util.find_spec("locust") is None:
        raise RuntimeError("locust is not installed: it is a dev dependency, run `uv sync` "
                           "(with the dev group)")
    raw_out = workdir / "raw.json"
    config = {"gateways": plan.gateways, "city_url": plan.city_url, "city_key": plan.city_key,
              "audiosockets": [list(a) for a in plan.audiosockets],
              "phone_users": plan.phone_users, "langs": plan.langs,
              "phone_turns": plan.phone_turns, "phone_silence_ms": plan.phone_silence_ms,
              "think_s": plan.think_s, "raw_out": str(raw_out)}
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    users = plan.text_users + plan.phone_users + 1  # + the /healthz baseline
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
               "-u", str(users), "-r", str(users),
               "-t", f"{int(plan.run_time_s)}s", "--stop-timeout", str(STOP_TIMEOUT_S),
               "--only-summary", "--load-config", str(config_path),
               "TextCaller", "Baseline", *(["PhoneCaller"] if plan.phone_users else [])]
    killed: dict[str, Any] = {"pid": plan.kill_pid, "after_s": plan.kill_after_s}
    timer = _killer(plan, killed)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env) as process:
        if timer is not None:
            timer.start()
        output, _ = process.communicate(timeout=plan.run_time_s + STOP_TIMEOUT_S + 120)
    if timer is not None:
        timer.cancel()
    if not raw_out.exists():
        raise RuntimeError(f"locust wrote no results (exit {process.returncode}):\n"
                           f"{output[-3000:]}")
    raw: dict[str, Any] = json.loads(raw_out.read_text(encoding="utf-8"))
    return raw, killed, output[-4000:]


def results(plan: LoadPlan, raw: dict[str, Any], killed: dict[str, Any],
            cores: int) -> dict[str, Any]:
    """The JSON of the run from the locustfile's raw samples."""
    samples = raw["samples"]  # [kind, t_s, ms, "ok" | "fallback" | "error"]

    def ok(kind: str, after: float = 0.0) -> list[float]:
        """Latencies of the turns answered (an apology is an answer, slow as it was)."""
        return [ms for k, t, ms, st in samples if k == kind and st != "error" and t >= after]

    def count(kind: str, status: str = "error", after: float = 0.0) -> int:
        return sum(1 for k, t, _, st in samples if k == kind and st == status and t >= after)

    # the rate: turns answered properly within the run time (the drain after it lets
    # dialogues end)
    in_time = sum(1 for k, t, _, st in samples
                  if k in ("text", "phone") and st == "ok" and t <= plan.run_time_s)
    window = max([plan.run_time_s, *(t for _, t, _, _ in samples)])
    turns = count("text", "ok") + count("phone", "ok")
    kill = None
    if killed.get("pid") is not None:
        at = killed.get("at_epoch", 0.0) - raw.get("started_epoch", 0.0)
        kill = {"pid": killed["pid"], "after_s": killed["after_s"], "done": killed.get("done"),
                "at_s": round(at, 1) if killed.get("at_epoch") else None,
                "errors_after": {k: count(k, after=at) for k in ("text", "phone", "healthz")}
                if killed.get("at_epoch") else None,
                "fallback_replies_after": count("text", "fallback", at)
                if killed.get("at_epoch") else None,
                "text_after": summary(ok("text", at)) if killed.get("at_epoch") else None}
    return {
        "benchmark": "load", "label": plan.label, "tool": "locust (headless)",
        "cores": cores, "run_time_s": plan.run_time_s, "with_drain_s": round(window, 1),
        "users": {"text": plan.text_users, "phone": plan.phone_users, "baseline": 1},
        "targets": {"gateways": plan.gateways, "audiosockets": [f"{h}:{p}" for h, p in
                                                                plan.audiosockets],
                    "city": plan.city_url},
        "turns": turns, "turns_per_s": round(in_time / plan.run_time_s, 2),
        "turns_per_s_per_core": round(in_time / plan.run_time_s / cores, 2),
        "text_turn": summary(ok("text")), "phone_turn": summary(ok("phone")),
        "healthz_baseline": summary(ok("healthz")),
        "errors": {k: count(k) for k in ("text", "phone", "healthz", "city")},
        "fallback_replies": count("text", "fallback"),
        "error_examples": raw["errors"][:10],
        "dialogues": raw["outcomes"], "unanswered_replies": raw.get("stuck", [])[:10],
        "kill": kill,
    }


def run_load(plan: LoadPlan) -> dict[str, Any]:
    """Run the plan; the result with the city's audit of the bookings."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        raw, killed, tail = run_locust(plan, Path(tmp))
    result = results(plan, raw, killed, os.cpu_count() or 1)
    # the machine's 1-minute load average before and after: other work on it shows here
    result["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    pairs = [(patient.key, specialty) for patient, specialty in map(pair, range(plan.text_users))]
    result |= audit(plan.city_url, plan.city_key, raw["told"], raw["lost"], pairs)
    if not raw["samples"]:
        result["locust_output"] = tail
    return result


def from_topology(path: Path, kill_rasa: int | None) -> dict[str, Any]:
    """The targets of `assistant up --scale` from its topology.json: the gateways' HAProxy
    front (HTTP and AudioSocket), the city API's, and the pid of Rasa replica `kill_rasa`
    (1-based)."""
    top = json.loads(path.read_text(encoding="utf-8"))
    socket = str(top.get("audiosocket") or "").removeprefix("tcp://")
    found: dict[str, Any] = {"gateways": [top["gateway"]], "city": top["cityservices"],
                             "audiosockets": [socket] if socket else [], "kill_pid": None}
    if kill_rasa is not None:
        replicas = top["rasa"]
        if not 1 <= kill_rasa <= len(replicas) or replicas[kill_rasa - 1].get("pid") is None:
            raise ValueError(f"{path} has no running Rasa replica {kill_rasa}")
        found["kill_pid"] = int(replicas[kill_rasa - 1]["pid"])
    return found


def run_load_command(*, users: int, phone_users: int, run_time: float, gateways: list[str],
                     audiosockets: list[str], city: str | None, kill_pid: int | None,
                     kill_port: int | None, kill_after: float, langs: list[str], think: float,
                     label: str, topology: Path | None = None,
                     kill_rasa: int | None = None) -> dict[str, Any]:
    """`assistant bench load`: against the stack given by URL or by its topology.json, or a
    single-box one of its own (Korean phone language, so that espeak-ng's Korean speech is
    understood)."""
    from assistant.settings import load_settings

    if topology is not None:
        found = from_topology(topology, kill_rasa)
        gateways, city = gateways or found["gateways"], city or found["city"]
        audiosockets = audiosockets or found["audiosockets"]
        kill_pid = kill_pid if kill_pid is not None else found["kill_pid"]
        label = label or ("scaled, Rasa replica killed" if kill_pid is not None else "scaled")
    if kill_port is not None:
        kill_pid = pid_listening_on(kill_port)
        if kill_pid is None:
            raise ValueError(f"no process listens on port {kill_port}")

    def plan(gws: list[str], city_url: str, key: str, sockets: list[tuple[str, int]],
             silence_ms: int, default_label: str) -> LoadPlan:
        return LoadPlan(gws, city_url, key, sockets, users, phone_users, run_time, langs,
                        think_s=think, phone_silence_ms=silence_ms, kill_pid=kill_pid,
                        kill_after_s=kill_after, label=label or default_label)

    if gateways:
        settings = load_settings()
        key = os.environ.get("CITY_API_KEY", settings.city.api_key)
        if city is None:
            raise ValueError("--city URL is needed with --gateway (the audit asks the city)")
        sockets = [loopback_address(a) for a in audiosockets]
        silence = settings.endpointing_for("phone").silence_ms
        return run_load(plan(gateways, city, key, sockets, silence, "running stack"))

    from assistant.cli.bench.commands import bench_stack, korean

    env = korean() | {"ASSISTANT_CHANNELS__PHONE_LANG": "ko",
                      "ASSISTANT_ASR__MAX_STREAMS": str(max(phone_users, 1))}
    with bench_stack(env) as settings:
        key = os.environ.get("CITY_API_KEY", settings.city.api_key)
        sockets = [(settings.host, settings.channels.audiosocket_port)]
        silence = settings.endpointing_for("phone").silence_ms
        return run_load(plan([settings.url("gateway")], settings.url("cityservices"), key,
                             sockets, silence, "single-box"))
