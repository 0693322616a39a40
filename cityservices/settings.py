"""Settings of the city back-ends: the ``city:`` section of config.yml.

Sources, highest priority first: keyword arguments, ``CITY_*`` environment variables
(``CITY_DB_URL``, ``CITY_API_KEY``, ...), ``ASSISTANT_CITY__*`` environment variables, the ``city:``
section of ``config.yml`` (or of the file named by ``ASSISTANT_CONFIG``), then the defaults below.
Unknown keys in the section are refused; ``url`` belongs to the action server and is skipped.
With ``ASSISTANT_ENV=production`` the demo API key is refused. Nothing is read at import time:
call ``load_city_settings()``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_API_KEY = "demo-city-key"
SECTION = "city"
OTHER_PROCESS_KEYS = frozenset({"url"})  # keys of `city:` that only the action server reads


class CityConfigError(ValueError):
    """The configuration cannot be used; the message says which key, where, and why."""


def config_path() -> Path:
    """``ASSISTANT_CONFIG`` (which must exist) or the project's ``config.yml``."""
    named = os.environ.get("ASSISTANT_CONFIG")
    if not named:
        return PROJECT_ROOT / "config.yml"
    if not Path(named).is_file():
        raise CityConfigError(f"ASSISTANT_CONFIG names {named}, which is not a file")
    return Path(named)


class CitySettings(BaseSettings):
    """Everything the city services need to run."""

    model_config = SettingsConfigDict(env_prefix="CITY_", extra="forbid")

    db_url: str = ""
    api_key: str = DEMO_API_KEY
    timeout_s: float = 3.0
    var_dir: Path = PROJECT_ROOT / "var"
    timezone: str = "Europe/Moscow"
    token_ttl_s: int = 1800
    identify_window_s: int = 900
    identify_max_failures_per_policy: int = 5
    identify_max_failures_per_client: int = 20
    # back-off after those failures: base * 2**(failures over the limit), at most the window
    identify_backoff_s: float = 30.0
    # the most a policy's failures from all callers together slow each attempt on it (no block)
    identify_policy_delay_s: float = 2.0
    # HMAC secret of the signed caller id (X-Caller) from the action server; empty: every
    # X-Caller is ignored and limits go by client address (`assistant up` makes one per start)
    caller_secret: str = ""
    seed_on_start: bool = True
    # reverse proxies whose X-Forwarded-For names the client (per-client rate limits):
    # comma-separated addresses or networks, or "*"; passed to uvicorn by `cityservices serve`
    forwarded_allow_ips: str = "127.0.0.1"
    gtfs_dir: Path | None = None
    sql_echo: bool = False
    # a key per client: `api_key` is the action server's (client "actions"); `clients` names the
    # other callers (name -> key, e.g. an operator's console). Each key is checked in constant
    # time and names its caller (``deps.require_api_key``); a key serves one client only.
    clients: dict[str, str] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assistant_env = EnvSettingsSource(settings_cls, env_prefix="ASSISTANT_CITY__")
        yaml_source: PydanticBaseSettingsSource
        try:
            yaml_source = YamlConfigSettingsSource(
                settings_cls, yaml_file=config_path(), yaml_config_section=SECTION
            )
        except KeyError:  # the file has no `city:` section: the defaults
            yaml_source = InitSettingsSource(settings_cls, {})
        return init_settings, env_settings, assistant_env, yaml_source

    @model_validator(mode="before")
    @classmethod
    def _skip_other_process_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in OTHER_PROCESS_KEYS}
        return data

    @field_validator("var_dir", "gtfs_dir")
    @classmethod
    def _under_project(cls, path: Path | None) -> Path | None:
        """Relative paths in config.yml are relative to the project root."""
        return path if path is None or path.is_absolute() else PROJECT_ROOT / path

    @model_validator(mode="after")
    def _one_client_per_key(self) -> CitySettings:
        if "actions" in self.clients:
            raise ValueError("city.clients must not name 'actions': that is city.api_key")
        keys = self.client_keys()
        if len(set(keys.values())) < len(keys):
            raise ValueError("two clients of city.api_key / city.clients share a key: give each "
                             "client its own")
        if any(not key for key in keys.values()):
            raise ValueError("a key of city.api_key / city.clients is empty")
        return self

    def client_keys(self) -> dict[str, str]:
        """Every caller of the API by name, with its key."""
        return {"actions": self.api_key, **self.clients}

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``db_url`` or SQLite at ``<var_dir>/city.db``."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.var_dir / 'city.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_city_settings(**overrides: Any) -> CitySettings:
    """The checked settings of this process; CityConfigError says what to fix."""
    try:
        settings = CitySettings(**overrides)
    except ValidationError as exc:
        raise CityConfigError(_explain(exc)) from None
    production = os.environ.get("ASSISTANT_ENV", "").strip().lower() == "production"
    if production and DEMO_API_KEY in settings.client_keys().values():
        raise CityConfigError(
            f"ASSISTANT_ENV=production refuses the published demo API key '{DEMO_API_KEY}': "
            f"set city.api_key (and city.clients) in {config_path()} or CITY_API_KEY"
        )
    return settings


def _explain(exc: ValidationError) -> str:
    lines = [f"invalid settings in {config_path()} (section '{SECTION}') or CITY_* variables:"]
    for error in exc.errors():
        key = ".".join([SECTION, *(str(part) for part in error["loc"])])
        if error["type"] == "extra_forbidden":
            lines.append(f"  unknown key '{key}'; see README 'Configuration'")
        else:
            lines.append(f"  '{key}': {error['msg']}")
    return "\n".join(lines)
