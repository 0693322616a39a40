"""Issue 12, item 5: a real Prometheus (Debian `prometheus`) scrapes the session's shared stack.

Prometheus runs in the foreground on a free loopback port with its data in a temporary folder,
loads deploy/prometheus/alerts.yml, scrapes the four processes every second and is stopped at the
end. After one /v1/text turn that runs an action and calls the city API, every series of README
"Metrics" is found through Prometheus' HTTP API (/api/v1/query). The alert rules are checked
and unit-tested with promtool. A missing Prometheus fails with how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import free_port
from tests.fixtures.stack import RunningStack

pytestmark = pytest.mark.rasa  # the shared stack, with Rasa
ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus"
HOW = ("install the Debian package `prometheus` (`sudo apt-get install -y prometheus`, or "
       "./manage.sh setup: it is in APT_PACKAGES)")
JOBS = {"gorod-gateway": "gateway", "gorod-rasa": "rasa", "gorod-actions": "actions",
        "gorod-cityservices": "cityservices"}
# the query that must return a series once the turn has been scraped
EXPECTED = {
    "gorod-gateway": [
        "gorod_dialogue_turn_seconds_count > 0", "gorod_asr_endpoint_to_final_seconds_count",
        "gorod_tts_seconds_bucket", "gorod_speech_end_to_first_audio_seconds_count",
        "gorod_gateway_active_calls", "gorod_gateway_capacity_calls > 0",
        "gorod_gateway_refused_calls_total", 'http_requests_total{handler="/v1/text"}',
    ],
    "gorod-rasa": [
        "gorod_rasa_model_loaded == 1", "gorod_rasa_tracker_store_fallback == 0",
        "gorod_rasa_tracker_store_errors_total",
    ],
    "gorod-actions": [
        "gorod_action_run_seconds_count > 0", "gorod_city_call_seconds_count > 0",
    ],
    "gorod-cityservices": [
        "gorod_city_rate_limited_total", "http_request_duration_seconds_count > 0",
    ],
}
START_S = 30.0
SCRAPED_S = 60.0


def tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                   else None)
    if found is None:
        pytest.fail(f"`{name}` is missing: {HOW}")
    return found


@pytest.fixture
def prometheus(running_stack: RunningStack, tmp_path: Path) -> Iterator[str]:
    binary = tool("prometheus")
    shutil.copy(RULES / "alerts.yml", tmp_path / "alerts.yml")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp_path / "alerts.yml")],
        "scrape_configs": [
            {"job_name": job, "static_configs": [
                {"targets": [f"127.0.0.1:{running_stack.ports[name]}"]}]}
            for job, name in JOBS.items()],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        [binary, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--storage.tsdb.retention.time=1h"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"prometheus exited ({process.returncode}): "
                            f"{(tmp_path / 'prometheus.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prometheus not ready within {START_S} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def query(url: str, expr: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10)
    answer.raise_for_status()
    data = answer.json()
    assert data["status"] == "success", data
    result: list[dict[str, Any]] = data["data"]["result"]
    return result


def test_prometheus_scrapes_every_process(running_stack: RunningStack, prometheus: str) -> None:
    reply = running_stack.text(f"metrics-{uuid.uuid4().hex[:8]}", "where is free wifi", "en")
    assert reply["replies"], reply  # one turn: the gateway, Rasa, an action, a city call
    wanted = [(job, expr) for job, exprs in EXPECTED.items() for expr in exprs]
    missing: list[str] = []
    deadline = time.monotonic() + SCRAPED_S
    while True:
        missing = [f"up{{job={job!r}}}" for job in JOBS
                   if not query(prometheus, f'up{{job="{job}"}} == 1')]
        for job, expr in wanted:
            selector = with_job(expr, job)
            if not query(prometheus, selector):
                missing.append(selector)
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    assert not missing, f"series not found through Prometheus within {SCRAPED_S} s: {missing}"
    rules = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    assert {g["name"] for g in rules} == {"gorod-availability", "gorod-latency",
                                          "gorod-capacity"}
    firing = httpx.get(f"{prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
    assert not [a for a in firing if a["labels"]["alertname"] in
                ("GorodReplicaDown", "GorodTrackerStoreFallback")], firing


def with_job(expr: str, job: str) -> str:
    """`name{a="b"} > 0` -> `name{a="b",job="gorod-x"} > 0`."""
    name, _, rest = expr.partition(" ")
    name = name[:-1] + f',job="{job}"}}' if "{" in name else f'{name}{{job="{job}"}}'
    return f"{name} {rest}".strip()


def test_the_alert_rules_are_valid_and_fire() -> None:
    promtool = tool("promtool")
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"],
                 ["check", "config", "prometheus.yml"]):
        done = subprocess.run([promtool, *args], cwd=RULES, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, f"promtool {' '.join(args)}: {done.stdout}{done.stderr}"
