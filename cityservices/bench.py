"""``cityservices bench``: requests/second with p50/p95 latency for slot search and booking,
against a server started here in a subprocess; GET /healthz, measured in the same run, is the
baseline the other figures are compared with."""

from __future__ import annotations

import asyncio
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cityservices.pgtemp import TempPostgres

KEY = {"X-API-Key": "demo-city-key"}
PATIENTS = [
    ("7712345678901234", "1985-03-14"),
    ("7798765432109876", "1992-11-02"),
    ("7700000000000017", "1978-06-30"),
    ("7700000000000025", "2015-09-05"),
]
SPECIALTIES = ["therapist", "dentist", "surgeon", "cardiologist", "neurologist", "dermatologist"]
DISTRICTS = [None, "Tverskoy", "Arbat", "Presnensky"]


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(db_url: str, log_path: Path) -> Iterator[str]:
    """``python -m cityservices serve`` in a subprocess; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "CITY_DB_URL": db_url, "CITY_API_KEY": KEY["X-API-Key"]}
    cmd = [
        sys.executable,
        "-m",
        "cityservices",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base, log_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log_path.read_text(errors='replace')}")


async def _measure(
    client: httpx.AsyncClient, calls: list[Call], concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    queue = iter(calls)

    async def worker() -> None:
        for call in queue:
            start = time.perf_counter()
            resp = await client.request(call.method, call.url, json=call.json, headers=call.headers)
            latencies.append((time.perf_counter() - start) * 1000)
            codes[resp.status_code] += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "status_counts": {str(k): v for k, v in sorted(codes.items())},
    }


async def _tokens(client: httpx.AsyncClient) -> list[dict[str, str]]:
    out = []
    for policy, born in PATIENTS:
        body = {"policy_number": policy, "birth_date": born}
        resp = await client.post("/health/v1/patients/identify", json=body, headers=KEY)
        resp.raise_for_status()
        out.append({**KEY, "Authorization": f"Bearer {resp.json()['token']}"})
    return out


async def _free_slot_ids(client: httpx.AsyncClient, wanted: int) -> list[str]:
    ids: list[str] = []
    for code in [*SPECIALTIES, "pediatrician", "ophthalmologist", "gynecologist"]:
        resp = await client.get("/health/v1/slots", params={"specialty": code, "limit": 200})
        ids.extend(s["id"] for s in resp.json()["slots"] if s["id"] not in ids)
        if len(ids) >= wanted:
            break
    if len(ids) < wanted:
        raise RuntimeError(f"only {len(ids)} free slots for {wanted} bookings; lower --requests")
    return ids[:wanted]


def _search_calls(n: int) -> list[Call]:
    combos = itertools.cycle(itertools.product(SPECIALTIES, DISTRICTS))
    calls = []
    for _, (code, district) in zip(range(n), combos, strict=False):
        query = f"specialty={code}&limit=20" + (f"&district={district}" if district else "")
        calls.append(Call("GET", f"/health/v1/slots?{query}"))
    return calls


async def _scenarios(base: str, requests: int, concurrency: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await _measure(client, [Call("GET", "/healthz")] * 50, concurrency)  # warm-up
        tokens = await _tokens(client)
        slot_ids = await _free_slot_ids(client, requests)
        book = [
            Call("POST", "/health/v1/appointments", {"slot_id": sid}, tokens[i % len(tokens)])
            for i, sid in enumerate(slot_ids)
        ]
        plan: list[tuple[str, Callable[[], list[Call]]]] = [
            ("baseline_healthz", lambda: [Call("GET", "/healthz")] * requests),
            ("slot_search", lambda: _search_calls(requests)),
            ("booking", lambda: book),
        ]
        return {name: await _measure(client, make(), concurrency) for name, make in plan}


def run_bench(
    *, db_url: str | None, postgres_temp: bool, requests: int, concurrency: int
) -> dict[str, Any]:
    """Start a server on a fresh database (temp SQLite, ``db_url`` or a temp PostgreSQL) and
    measure; ``db_url`` should name a scratch database, since booking takes its free slots."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="city-bench-")))
        if postgres_temp:
            url = stack.enter_context(TempPostgres()).url
        else:
            url = db_url or f"sqlite:///{tmp / 'bench.db'}"
        base = stack.enter_context(running_server(url, tmp / "server.log"))
        scenarios = asyncio.run(_scenarios(base, requests, concurrency))
    baseline = scenarios["baseline_healthz"]["rps"]
    return {
        "tool": "cityservices bench",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "server": "uvicorn, 1 worker, same machine as the client",
        "requests_per_scenario": requests,
        "concurrency": concurrency,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "scenarios": scenarios,
        "rps_relative_to_baseline": {
            name: round(r["rps"] / baseline, 3) for name, r in scenarios.items()
        },
    }
