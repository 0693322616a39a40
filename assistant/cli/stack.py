"""What `assistant up` runs: the four processes of the stack, their commands and health checks."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import ROOT, ServiceName, Settings

NLU_DIR = ROOT / "nlu"
RASA_VENV = ROOT / ".venv-rasa"
RASA_MODEL = NLU_DIR / "models" / "city.tar.gz"
LOG_DIR = ROOT / "var" / "log"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: tuple[str, ...]
    health_url: str
    url: str
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = LOG_DIR

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings a child must share with its parent, as environment overrides."""
    env = {f"ASSISTANT_PORTS__{name.upper()}": str(port)
           for name, port in settings.ports.model_dump().items()}
    env["ASSISTANT_HOST"] = settings.host
    env["ASSISTANT_DEFAULT_LANG"] = settings.default_lang
    env["ASSISTANT_CHANNELS__AUDIOSOCKET_PORT"] = str(settings.channels.audiosocket_port)
    return env


def city_env(settings: Settings) -> dict[str, str]:
    """What the city services and the action server need: where the city API is, its key."""
    env = settings_env(settings) | {
        "CITY_API_URL": settings.url("cityservices"),
        "CITY_API_KEY": os.environ.get("CITY_API_KEY", settings.city.api_key),
        "CITY_TIMEOUT_S": str(settings.city.timeout_s),
        "KIOSK_LAT": str(settings.kiosk.lat),
        "KIOSK_LON": str(settings.kiosk.lon),
    }
    if settings.city.db_url and "CITY_DB_URL" not in os.environ:
        env["CITY_DB_URL"] = settings.city.db_url
    return env


def _service(settings: Settings, name: ServiceName, command: tuple[str, ...], health_path: str,
             url_path: str, env: dict[str, str], cwd: Path = ROOT) -> ServiceSpec:
    base = settings.url(name)
    return ServiceSpec(name=name, command=command, health_url=base + health_path,
                       url=base + url_path, cwd=cwd, env=env,
                       log_dir=settings.resolve(settings.log_dir))


def stack(settings: Settings) -> list[ServiceSpec]:
    """The stack in start order. Each process talks to the others only over HTTP."""
    python, host, ports = sys.executable, settings.host, settings.ports
    rasa = (str(RASA_VENV / "bin" / "rasa"), "run", "--enable-api", "--model", str(RASA_MODEL),
            "--interface", host, "--port", str(ports.rasa),
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml")
    rasa_env = settings_env(settings) | {
        "ACTION_ENDPOINT_URL": f"{settings.url('actions')}/webhook",
        "PYTHONPATH": str(NLU_DIR),
    }
    gateway = (python, "-m", "uvicorn", "assistant.gateway.app:create_app", "--factory",
               "--host", host, "--port", str(ports.gateway))
    return [
        _service(settings, "cityservices", (python, "-m", "cityservices", "serve", "--host", host,
                 "--port", str(ports.cityservices)), "/healthz", "/docs", city_env(settings)),
        _service(settings, "actions", (python, "-m", "actions.server", "--host", host,
                 "--port", str(ports.actions)), "/healthz", "/webhook", city_env(settings)),
        _service(settings, "rasa", rasa, "/healthz", "", rasa_env, cwd=NLU_DIR),
        _service(settings, "gateway", gateway, "/healthz", "/v1/text", settings_env(settings)),
    ]
