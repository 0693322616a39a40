"""A real dialogue stack, started once per session: city services, action server, Rasa.

The Rasa model is nlu/models/city.tar.gz; `rasa train` reuses it when its fingerprint matches
(the setup trains it before the tests). Missing environments fail loudly with how to get them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.parsing import normalize

ROOT = Path(__file__).resolve().parents[3]
NLU = ROOT / "nlu"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = NLU / "models" / "city.tar.gz"
STARTUP_S = 300.0  # generous: Rasa takes ~20 s to load on 2 cores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} process exited ({proc.returncode}); log:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not come up; log:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    rasa_url: str
    city_url: str

    def say(self, sender: str, text: str, lang: str, channel: str = "phone") -> list[dict[str, Any]]:
        body = {"sender": sender, "message": normalize(text, lang),
                "metadata": {"lang": lang, "channel": channel}}
        answer = httpx.post(f"{self.rasa_url}/webhooks/city/webhook", json=body, timeout=60)
        answer.raise_for_status()
        return list(answer.json())

    def parse(self, text: str, lang: str) -> dict[str, Any]:
        answer = httpx.post(f"{self.rasa_url}/model/parse", json={"text": normalize(text, lang)},
                            timeout=60)
        return dict(answer.json())

    def city(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-API-Key": "demo-city-key", **kwargs.pop("headers", {})}
        answer = httpx.request(method, f"{self.city_url}{path}", headers=headers, timeout=30,
                               **kwargs)
        answer.raise_for_status()
        return answer.json()


def _ensure_model(logs: Path) -> None:
    if not RASA.exists():
        pytest.fail(f"{RASA} is missing: create the dialogue-engine env (Python 3.10) with "
                    "`uv venv -p 3.10 .venv-rasa && uv pip install -p .venv-rasa "
                    "-r nlu/requirements.lock`")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    log = logs / "train.log"
    with log.open("wb") as out:
        code = subprocess.call([str(RASA), "train", "--fixed-model-name", "city", "--out",
                                "models"], cwd=NLU, env=env, stdout=out, stderr=subprocess.STDOUT)
    if code != 0 or not MODEL.exists():
        pytest.fail(f"rasa train failed ({code}); log:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("dialogue-stack")
    _ensure_model(logs)
    city_port, action_port, rasa_port = _free_port(), _free_port(), _free_port()
    base_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, cmd: list[str], cwd: Path, env: dict[str, str], health: str) -> None:
        log = logs / f"{name}.log"
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("wb"),
                                stderr=subprocess.STDOUT)
        procs.append(proc)
        _wait(health, proc, log)

    try:
        city_env = {**base_env, "CITY_DB_URL": f"sqlite:///{logs / 'city.db'}"}
        start("city", [sys.executable, "-m", "cityservices", "serve", "--host", "127.0.0.1",
                       "--port", str(city_port)], ROOT, city_env,
              f"http://127.0.0.1:{city_port}/healthz")
        act_env = {**base_env, "CITY_API_URL": f"http://127.0.0.1:{city_port}"}
        start("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port",
                          str(action_port)], ROOT, act_env,
              f"http://127.0.0.1:{action_port}/health")
        rasa_env = {**base_env, "PYTHONPATH": ".",
                    "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook"}
        start("rasa", [str(RASA), "run", "--enable-api", "--model", "models/city.tar.gz",
                       "--port", str(rasa_port), "--credentials", "credentials.yml",
                       "--endpoints", "endpoints.yml"], NLU, rasa_env,
              f"http://127.0.0.1:{rasa_port}/webhooks/city/")
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{city_port}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
