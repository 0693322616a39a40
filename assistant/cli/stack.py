"""What `assistant up` runs: the four processes of the stack, their commands and health checks.

Only the gateway binds `host`. Rasa, the action server and the city API bind `internal_host`
(127.0.0.1 by default, even when the gateway is public), and the processes reach each other
there. Each internal door checks its caller (README "Ports"):
- Rasa's HTTP API needs `secrets.rasa_token` (`--auth-token`, given through the environment by
  nlu/serve.py so that it is not in the process table);
- Rasa's `city` channel needs the gateway's `secrets.channel_secret` (nlu/city_channel.py);
- the action server's /webhook needs Rasa's `secrets.actions_token` (nlu/endpoints.yml);
- the city API needs a key per client (`city.api_key`, `city.clients`).
Empty secrets are made here, at random, once per `assistant up` (`with_secrets`), and each
child gets only the ones it uses, by environment.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.settings import ROOT, ServiceName, Settings, config_path

NLU_DIR = ROOT / "nlu"
RASA_VENV = ROOT / ".venv-rasa"
RASA_SERVE = NLU_DIR / "serve.py"  # `rasa run` with the API token read from the environment
SECRET_ENV = "ASSISTANT_SECRETS__"
RASA_MODEL = NLU_DIR / "models" / "city.tar.gz"
LOG_DIR = ROOT / "var" / "log"
TRACKER_DB = ROOT / "var" / "dialogue" / "tracker.db"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: tuple[str, ...]
    health_url: str
    url: str
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = LOG_DIR
    stop_grace_s: float = 10.0  # SIGTERM to SIGKILL (the gateway: its calls' drain, and a margin)

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"


def base_env() -> dict[str, str]:
    """The parent's environment without its secrets: each child gets its own (`secret_env`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_ENV)}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    """What a child must share with its parent beyond config.yml, which each child loads itself
    (assistant/settings.py, actions/settings.py, cityservices/settings.py): the file (as an
    absolute path, since children run in other folders) and the keys the parent may have been
    given directly (ports found free by a test or a benchmark)."""
    env = {f"ASSISTANT_PORTS__{name.upper()}": str(port)
           for name, port in settings.ports.model_dump().items()}
    env["ASSISTANT_CONFIG"] = str(config_path().resolve())
    env["ASSISTANT_HOST"] = settings.host
    env["ASSISTANT_INTERNAL_HOST"] = settings.internal_host
    env["ASSISTANT_DEFAULT_LANG"] = settings.default_lang
    env["ASSISTANT_LANGUAGES"] = json.dumps(settings.languages)
    env["ASSISTANT_CHANNELS__AUDIOSOCKET_PORT"] = str(settings.channels.audiosocket_port)
    return env


def with_secrets(settings: Settings) -> Settings:
    """`settings` with every empty shared secret replaced by a random one (once per start)."""
    if not settings.city.caller_secret:  # actions -> city: the signed caller id (X-Caller)
        city = settings.city.model_copy(update={"caller_secret": secrets.token_urlsafe(32)})
        settings = settings.model_copy(update={"city": city})
    given = settings.secrets.model_dump()
    made = {name: value or secrets.token_urlsafe(32) for name, value in given.items()}
    if made == given:
        return settings
    return settings.model_copy(
        update={"secrets": settings.secrets.model_copy(update=made)})


def caller_secret_env(settings: Settings) -> dict[str, str]:
    """`city.caller_secret` for the action server (signs) and the back-ends (verify)."""
    return {"ASSISTANT_CITY__CALLER_SECRET": settings.city.caller_secret}


def secret_env(settings: Settings, *names: str) -> dict[str, str]:
    """The named secrets as the environment variables that the children's settings read."""
    values = settings.secrets.model_dump()
    return {f"{SECRET_ENV}{name.upper()}": values[name] for name in names}


def tracker_env(settings: Settings) -> dict[str, str]:
    """Rasa's tracker store (nlu/endpoints.yml, nlu/city_tracker_store.py): the database URL
    (default: SQLite under var/, kept across restarts) and the conversations' lifetime."""
    url = settings.dialogue.tracker_store_url or f"sqlite:///{TRACKER_DB}"
    return {"TRACKER_STORE_URL": url,
            "TRACKER_SESSION_TTL_MIN": f"{settings.dialogue.session_ttl_min:g}"}


def _service(settings: Settings, name: ServiceName, command: tuple[str, ...], health_path: str,
             url_path: str, env: dict[str, str], cwd: Path = ROOT) -> ServiceSpec:
    base = settings.url(name)
    return ServiceSpec(name=name, command=command, health_url=base + health_path,
                       url=base + url_path, cwd=cwd, env=env,
                       log_dir=settings.resolve(settings.log_dir))


def rasa_command(settings: Settings, port: int) -> tuple[str, ...]:
    """`rasa run` through nlu/serve.py (the API token from the environment), at `port`."""
    return (str(RASA_VENV / "bin" / "python"), str(RASA_SERVE), "run", "--enable-api",
            "--model", str(RASA_MODEL), "--interface", settings.internal_host, "--port",
            str(port), "--credentials", "credentials.yml", "--endpoints", "endpoints.yml")


def rasa_env(settings: Settings) -> dict[str, str]:
    return settings_env(settings) | tracker_env(settings) | {
        "ACTION_ENDPOINT_URL": f"{settings.url('actions')}/webhook",
        "PYTHONPATH": str(NLU_DIR),
    } | secret_env(settings, "rasa_token", "channel_secret", "actions_token")


def gateway_env(settings: Settings) -> dict[str, str]:
    return settings_env(settings) | secret_env(settings, "channel_secret")


def actions_env(settings: Settings) -> dict[str, str]:
    return (settings_env(settings) | secret_env(settings, "actions_token")
            | caller_secret_env(settings))


def city_env(settings: Settings) -> dict[str, str]:
    return settings_env(settings) | caller_secret_env(settings)


def stack(settings: Settings) -> list[ServiceSpec]:
    """The stack in start order. Each process talks to the others only over HTTP. Pass
    `with_secrets(settings)` to know the secrets the children get; empty ones are made here."""
    settings = with_secrets(settings)
    python, internal, ports = sys.executable, settings.internal_host, settings.ports
    gateway = (python, "-m", "assistant.gateway", "--host", settings.host,
               "--port", str(ports.gateway))
    return [
        _service(settings, "cityservices", (python, "-m", "cityservices", "serve", "--host",
                 internal, "--port", str(ports.cityservices)), "/healthz", "/docs",
                 city_env(settings)),
        _service(settings, "actions", (python, "-m", "actions.server", "--host", internal,
                 "--port", str(ports.actions)), "/healthz", "/webhook", actions_env(settings)),
        _service(settings, "rasa", rasa_command(settings, ports.rasa), "/healthz", "",
                 rasa_env(settings), cwd=NLU_DIR),
        replace(_service(settings, "gateway", gateway, "/healthz", "/v1/text",
                         gateway_env(settings)),
                stop_grace_s=settings.gateway.drain_s + 10.0),
    ]
