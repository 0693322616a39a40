"""The assistant's settings: config.yml, overridden by environment variables.

An environment variable `ASSISTANT_<SECTION>__<KEY>` overrides a key, e.g.
`ASSISTANT_PORTS__GATEWAY=9080` or `ASSISTANT_DEFAULT_LANG=en`. `ASSISTANT_CONFIG` points at
another config file. Nothing is read at import time: call `load_settings()`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yml"

ServiceName = Literal["cityservices", "actions", "rasa", "gateway"]


class Ports(BaseModel):
    cityservices: int = 8000
    actions: int = 5055
    rasa: int = 5005
    gateway: int = 8080


class DialogueSettings(BaseModel):
    timeout_s: float = 10.0
    max_text_chars: int = 2000


class CitySettings(BaseModel):
    api_key: str = "demo-city-key"
    timeout_s: float = 3.0
    db_url: str = ""


class KioskSettings(BaseModel):
    lat: float = 55.7655
    lon: float = 37.6050


class AsrSettings(BaseModel):
    models_dir: Path = Path("var/models")
    models: dict[str, str] = Field(default_factory=dict)
    sample_rate: int = 16000
    chunk_ms: int = 100


class TtsSettings(BaseModel):
    voices: dict[str, str] = Field(default_factory=lambda: {"ru": "ru", "en": "en-us"})
    rate: int = 170
    slow_rate: int = 120


class Endpointing(BaseModel):
    silence_ms: int = 700
    start_timeout_ms: int = 6000
    max_utterance_ms: int = 15000


class ChannelSettings(BaseModel):
    voice_tokens: list[str] = Field(default_factory=list)
    max_frame_bytes: int = 65536
    max_session_s: float = 900.0
    idle_timeout_s: float = 30.0
    handoff_webhook: str = ""
    audiosocket_port: int = 9092
    phone_lang: str = ""  # language of AudioSocket calls; empty: default_lang


class PrivacySettings(BaseModel):
    log_mask: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    default_lang: Literal["ru", "en"] = "ru"
    languages: list[str] = Field(default_factory=lambda: ["ru", "en"])
    host: str = "127.0.0.1"
    log_dir: Path = Path("var/log")
    ports: Ports = Field(default_factory=Ports)
    dialogue: DialogueSettings = Field(default_factory=DialogueSettings)
    city: CitySettings = Field(default_factory=CitySettings)
    kiosk: KioskSettings = Field(default_factory=KioskSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    endpointing: dict[str, Endpointing] = Field(default_factory=dict)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = Path(os.environ.get("ASSISTANT_CONFIG", DEFAULT_CONFIG))
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config)
        return (init_settings, env_settings, yaml_source)

    def url(self, service: ServiceName) -> str:
        port: int = getattr(self.ports, service)
        return f"http://{self.host}:{port}"

    def endpointing_for(self, channel: str) -> Endpointing:
        return self.endpointing.get(channel, Endpointing())

    def resolve(self, path: Path) -> Path:
        """Relative paths in the config are relative to the project root."""
        return path if path.is_absolute() else ROOT / path


def load_settings() -> Settings:
    return Settings()
