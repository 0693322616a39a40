"""Settings of the action server: its sections of config.yml (`internal_host`, `ports`, `city`,
`kiosk`, `secrets`).

Sources, highest priority first: keyword arguments, `CITY_API_KEY` (the documented name of the
city key), `ASSISTANT_<SECTION>__<KEY>` environment variables, config.yml (or the file named by
`ASSISTANT_CONFIG`), then the defaults below. Unknown keys in these sections are refused; the other
sections of the file, and the keys of `city:` that only the back-ends read, are theirs. With
`ASSISTANT_ENV=production` the demo API key is refused.

Nothing is read at import time: `load_actions_settings()` reads and checks; `current_settings()`
is the same, once per process (actions build a city client per call).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_API_KEY = "demo-city-key"
# keys of `city:` that only the city back-ends read (cityservices/settings.py)
OTHER_PROCESS_KEYS = frozenset({
    "db_url", "var_dir", "token_ttl_s", "identify_window_s",
    "identify_max_failures_per_policy", "identify_max_failures_per_client", "seed_on_start",
    "identify_backoff_s", "identify_policy_delay_s",
    "forwarded_allow_ips", "gtfs_dir", "sql_echo", "clients",
})
# keys of `secrets:` that other processes read (Rasa's token, the gateway's channel secret)
OTHER_PROCESS_SECRETS = frozenset({"rasa_token", "channel_secret"})


class ActionsConfigError(ValueError):
    """The configuration cannot be used; the message says which key, where, and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ports(_Section):
    cityservices: int = 8000
    actions: int = 5055
    rasa: int = 5005
    gateway: int = 8080


class CityEndpoint(_Section):
    url: str = ""  # empty: http://<internal_host>:<ports.cityservices>
    api_key: str = DEMO_API_KEY
    timeout_s: float = 3.0
    timezone: str = "Europe/Moscow"  # the city's "today" (actions/clock.py); shared key
    # signs the conversation id sent as X-Caller (HMAC); shared with the back-ends; empty: not
    # sent (`assistant up` makes one per start)
    caller_secret: str = ""

    @model_validator(mode="before")
    @classmethod
    def _skip_other_process_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in OTHER_PROCESS_KEYS}
        return data


class Secrets(_Section):
    # what Rasa sends as `Authorization: Bearer` to /webhook; empty: every call is refused
    # (`assistant up` makes one per start, assistant/cli/stack.py)
    actions_token: str = ""

    @model_validator(mode="before")
    @classmethod
    def _skip_other_process_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in OTHER_PROCESS_SECRETS}
        return data


class Kiosk(_Section):
    lat: float = 55.7655
    lon: float = 37.6050


class ActionsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid"
    )

    internal_host: str = "127.0.0.1"  # where the city API listens (and this server)
    ports: Ports = Field(default_factory=Ports)
    city: CityEndpoint = Field(default_factory=CityEndpoint)
    kiosk: Kiosk = Field(default_factory=Kiosk)
    secrets: Secrets = Field(default_factory=Secrets)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config_path())
        return (init_settings, _CityApiKeyEnv(settings_cls), env_settings,
                _OwnSections(settings_cls, yaml_source))

    @property
    def city_url(self) -> str:
        return self.city.url or f"http://{self.internal_host}:{self.ports.cityservices}"


class _CityApiKeyEnv(PydanticBaseSettingsSource):
    """`CITY_API_KEY`, the documented way to give the key to the actions and the back-ends."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        key = os.environ.get("CITY_API_KEY")
        return {"city": {"api_key": key}} if key else {}


class _OwnSections(PydanticBaseSettingsSource):
    """The sections of config.yml that this process reads; the rest belong to other processes."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self.inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        names = set(self.settings_cls.model_fields)
        return {k: v for k, v in self.inner().items() if k in names}


def config_path() -> Path:
    """config.yml of the project, or the file named by `ASSISTANT_CONFIG` (which must exist)."""
    named = os.environ.get("ASSISTANT_CONFIG")
    if not named:
        return PROJECT_ROOT / "config.yml"
    if not Path(named).is_file():
        raise ActionsConfigError(f"ASSISTANT_CONFIG names {named}, which is not a file")
    return Path(named)


def load_actions_settings(**overrides: Any) -> ActionsSettings:
    try:
        settings = ActionsSettings(**overrides)
    except ValidationError as exc:
        raise ActionsConfigError(_explain(exc)) from None
    production = os.environ.get("ASSISTANT_ENV", "").strip().lower() == "production"
    if production and settings.city.api_key == DEMO_API_KEY:
        raise ActionsConfigError(
            f"ASSISTANT_ENV=production refuses the published demo API key '{DEMO_API_KEY}': "
            f"set city.api_key in {config_path()} or CITY_API_KEY"
        )
    return settings


@functools.cache
def current_settings() -> ActionsSettings:
    """`load_actions_settings()` once per process (the server calls it at start)."""
    return load_actions_settings()


def _explain(exc: ValidationError) -> str:
    lines = [f"invalid settings in {config_path()} or ASSISTANT_* environment variables:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        env_name = "ASSISTANT_" + key.upper().replace(".", "__")
        where = f"environment variable {env_name}" if env_name in os.environ else "the file"
        if error["type"] == "extra_forbidden":
            lines.append(f"  unknown key '{key}' (in {where}); see README 'Configuration'")
        else:
            lines.append(f"  '{key}' (in {where}): {error['msg']}")
    return "\n".join(lines)
