"""Settings of the city back-ends.

Sources, highest priority first: keyword arguments, ``CITY_*`` environment variables
(``CITY_DB_URL``, ``CITY_API_KEY``, ...), ``ASSISTANT_CITY__*`` environment variables, the ``city:``
section of ``config.yml`` (or of the file named by ``ASSISTANT_CONFIG``), then the defaults below.
Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_API_KEY = "demo-city-key"


def config_path() -> Path:
    """The assistant's config.yml: ``ASSISTANT_CONFIG`` or ``<repo>/config.yml``."""
    return Path(os.environ.get("ASSISTANT_CONFIG") or PROJECT_ROOT / "config.yml")


class _CitySectionSource(PydanticBaseSettingsSource):
    """Reads the ``city:`` mapping of config.yml; a missing file or section gives nothing."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        path = config_path()
        if not path.is_file():
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        section = data.get("city") if isinstance(data, dict) else None
        if not isinstance(section, dict):
            return {}
        names = set(self.settings_cls.model_fields)
        return {k: v for k, v in section.items() if k in names and v is not None}


class CitySettings(BaseSettings):
    """Everything the city services need to run."""

    model_config = SettingsConfigDict(env_prefix="CITY_", extra="ignore")

    db_url: str = ""
    api_key: str = DEMO_API_KEY
    timeout_s: float = 3.0
    var_dir: Path = PROJECT_ROOT / "var"
    timezone: str = "Europe/Moscow"
    token_ttl_s: int = 1800
    identify_window_s: int = 900
    identify_max_failures_per_policy: int = 5
    identify_max_failures_per_client: int = 20
    seed_on_start: bool = True
    # reverse proxies whose X-Forwarded-For names the client (per-client rate limits):
    # comma-separated addresses or networks, or "*"; passed to uvicorn by `cityservices serve`
    forwarded_allow_ips: str = "127.0.0.1"
    gtfs_dir: Path | None = None
    sql_echo: bool = False

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
        return init_settings, env_settings, assistant_env, _CitySectionSource(settings_cls)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``db_url`` or SQLite at ``<var_dir>/city.db``."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.var_dir / 'city.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
