"""The settings of the gateway and of the operator's tools: the whole of config.yml.

Sources, highest priority first: keyword arguments, environment variables
`ASSISTANT_<SECTION>__<KEY>` (e.g. `ASSISTANT_PORTS__GATEWAY=9080`, `ASSISTANT_DEFAULT_LANG=en`),
then config.yml (or the file named by `ASSISTANT_CONFIG`), then the defaults below.

Every model forbids unknown keys: a typo such as `ports: {gatway: 1}` stops the process at start
with a message naming the key and the file (or the environment variable). An `ASSISTANT_*`
variable that names no section at all is not an error (other tools share the prefix); it is
logged as a warning. With `ASSISTANT_ENV=production` the demo secrets are refused.

The action server (`actions/settings.py`) and the city back-ends (`cityservices/settings.py`) load
their own sections of the same file the same way. Nothing is read at import time: call
`load_settings()`.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yml"
ENV_PREFIX = "ASSISTANT_"
# read by hand, not keys of config.yml
OWN_ENV = {"ASSISTANT_CONFIG", "ASSISTANT_ENV"}
DEMO_VOICE_TOKENS = frozenset({"demo-speaker-token", "demo-kiosk-token"})
DEMO_OPERATOR_TOKENS = frozenset({"demo-operator-token"})
DEMO_ROUTE_TOKENS = frozenset({"demo-pbx-token"})
DEMO_CITY_API_KEY = "demo-city-key"

ServiceName = Literal["cityservices", "actions", "rasa", "gateway"]
Lang = Literal["ru", "en", "ko"]


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key, where, and why."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ports(Section):
    cityservices: int = 8000
    actions: int = 5055
    rasa: int = 5005
    gateway: int = 8080


class DialogueSettings(Section):
    timeout_s: float = 10.0
    max_text_chars: int = 2000
    retry_s: float = 2.0  # how long the gateway retries an unreachable Rasa before "one moment"
    tracker_store_url: str = ""  # empty: SQLite at var/dialogue/tracker.db
    session_ttl_min: float = 60.0  # idle conversations end and are deleted after this
    # several Rasa replicas sharing the tracker store: each conversation goes to one of them by a
    # consistent hash of its session id (assistant/gateway/replicas.py); empty: the one Rasa at
    # internal_host:ports.rasa. `assistant up --scale` sets it for its gateways.
    rasa_urls: list[str] = Field(default_factory=list)
    replica_down_s: float = Field(default=5.0, gt=0)  # a failed replica is skipped this long


class SupervisorSettings(Section):
    """How `assistant up` restarts a child that died (assistant/cli/supervisor.py)."""

    restart_backoff_s: float = 1.0
    restart_backoff_max_s: float = 30.0
    max_restarts: int = 5
    restart_window_s: float = 300.0
    restart_health_timeout_s: float = 300.0


class ScaleSettings(Section):
    """`assistant up --scale`: replicas behind HAProxy, conversations in PostgreSQL with a Redis
    lock store (assistant/cli/topology.py). Plain `assistant up` reads none of it."""

    rasa: int = Field(default=2, ge=1)
    actions: int = Field(default=2, ge=1)
    cityservices: int = Field(default=2, ge=1)
    gateways: int = Field(default=2, ge=1)
    # Rasa's lock store: redis://[:password@]host:port/db; empty: a redis-server on loopback,
    # with a random password, started and stopped by `assistant up --scale`
    redis_url: str = ""
    # haproxy.cfg, redis.conf and topology.json (who listens where, with pids) go here
    state_dir: Path = Path("var/scale")


class CitySection(Section):
    """The `city:` section. The gateway reads none of it; `assistant up` checks it before the
    children start. `url`, `api_key`, `timeout_s`: the action server; the rest: the back-ends
    (cityservices.settings.CitySettings, whose defaults these mirror)."""

    url: str = ""
    api_key: str = DEMO_CITY_API_KEY
    timeout_s: float = 3.0
    db_url: str = ""
    var_dir: Path = Path("var")
    timezone: str = "Europe/Moscow"
    token_ttl_s: int = 1800
    identify_window_s: int = 900
    identify_max_failures_per_policy: int = 5
    identify_max_failures_per_client: int = 20
    identify_backoff_s: float = 30.0
    identify_policy_delay_s: float = 2.0
    caller_secret: str = ""  # empty: `assistant up` makes one (assistant/cli/stack.py)
    seed_on_start: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    gtfs_dir: Path | None = None
    sql_echo: bool = False
    # further callers of the city API, each with its own key: name -> key (the action server's
    # key is `api_key`, client name "actions"); the back-ends name the caller by its key
    clients: dict[str, str] = Field(default_factory=dict)


class ReminderSettings(Section):
    """`assistant reminders run` (assistant/cli/reminders.py): calls the day before a visit,
    placed through Asterisk's manager interface (AMI Originate), docs/reminder-calls.md."""

    ami_host: str = "127.0.0.1"
    ami_port: int = Field(default=5038, ge=1, le=65535)
    ami_username: str = "gorod"
    ami_secret: str = ""  # empty: the command refuses to run
    dial: str = "PJSIP/{phone}@city-trunk"  # the channel Asterisk dials; {phone}: E.164 number
    context: str = "gorod-reminder"  # the dialplan context that hands the answered call over
    caller_id: str = "Gorod <+74950000000>"
    window_start: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    window_end: str = Field(default="20:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_after_min: int = Field(default=60, ge=0, le=1440)
    ring_timeout_s: int = Field(default=30, ge=5, le=120)
    call_limit_s: int = Field(default=300, ge=30, le=3600)
    max_calls: int = Field(default=20, ge=1, le=1000)


class SecretsSettings(Section):
    """Shared secrets between the processes of the stack. Empty: `assistant up` makes a random
    one at each start and gives it to the children by environment (assistant/cli/stack.py).
    Set them (config or ASSISTANT_SECRETS__*) when the processes run on several machines."""

    rasa_token: str = ""      # Rasa's HTTP API (`--auth-token`, sent as `?token=`)
    channel_secret: str = ""  # gateway -> Rasa's city channel (header X-Channel-Secret)
    actions_token: str = ""   # Rasa -> action server /webhook (Authorization: Bearer)


class KioskSettings(Section):
    lat: float = 55.7655
    lon: float = 37.6050


class AsrSettings(Section):
    models_dir: Path = Path("var/models")
    models: dict[str, str] = Field(default_factory=dict)
    models_base_url: str = "https://alphacephei.com/vosk/models"
    sha256: dict[str, str] = Field(default_factory=dict)
    # concurrent voice calls (ASR streams) one gateway takes; 0: two per CPU core
    # (assistant.gateway.admission); a call beyond it is refused, not slowed
    max_streams: int = Field(default=0, ge=0)

    @field_validator("sha256")
    @classmethod
    def _hex_digests(cls, pins: dict[str, str]) -> dict[str, str]:
        for lang, digest in pins.items():
            if digest and not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
                raise ValueError(f"asr.sha256.{lang} is not a SHA-256 (64 hex digits) or empty")
        return {lang: digest.lower() for lang, digest in pins.items()}


class TtsSettings(Section):
    voices: dict[str, str] = Field(default_factory=lambda: {"ru": "ru", "en": "en-us"})
    rate: int = 170
    slow_rate: int = 120


class Endpointing(Section):
    silence_ms: int = 700
    start_timeout_ms: int = 6000
    max_utterance_ms: int = 15000
    early_silence_ms: int = Field(default=250, ge=0)  # after a complete restricted answer


class ChannelSettings(Section):
    voice_tokens: list[str] = Field(default_factory=list)
    allowed_origins: list[str] = Field(default_factory=list)  # browser origins besides our own
    max_control_bytes: int = Field(default=16384, ge=256)  # JSON text frames
    max_dtmf_digits: int = Field(default=32, ge=1)
    max_frame_bytes: int = 65536
    max_session_s: float = 900.0
    idle_timeout_s: float = 30.0
    handoff_webhook: str = ""
    # the operator screen (/operator and its socket) and the PBX's call route (/v1/calls/.../route)
    operator_tokens: list[str] = Field(default_factory=list)
    route_tokens: list[str] = Field(default_factory=list)
    operator_queue: str = "operators-{lang}"  # the queue a handed-off call goes to
    handoff_keep_s: float = Field(default=3600.0, gt=0)  # how long the gateway remembers one
    audiosocket_port: int = 9092
    # the AudioSocket protocol carries no credentials: bind it where only the PBX reaches it,
    # and, when set, accept calls only from these addresses
    audiosocket_host: str = "127.0.0.1"
    audiosocket_peers: list[str] = Field(default_factory=list)
    phone_lang: Lang | Literal[""] = ""  # language of AudioSocket calls; empty: default_lang


class GatewayServer(Section):
    """The gateway's HTTP server (`python -m assistant.gateway`): slow or half-open requests
    and connection floods end before they hold its file descriptors."""

    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=30.0, gt=0)
    keep_alive_s: int = Field(default=5, ge=1)
    max_connections: int = Field(default=1000, ge=1)
    max_header_bytes: int = Field(default=16384, ge=1024)
    # SIGTERM: calls in progress may go on this long, then they are ended politely
    drain_s: float = Field(default=30.0, ge=0)
    # the hint given with a refused call (HTTP Retry-After, the 1013 close reason)
    retry_after_s: int = Field(default=5, ge=1)
    # GET /metrics answers loopback callers, and others only with this bearer token (empty: none)
    metrics_token: str = ""


class PrivacySettings(Section):
    log_mask: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )

    default_lang: Lang = "ru"
    languages: list[Lang] = Field(default_factory=lambda: list[Lang](["ru", "en"]))
    host: str = "127.0.0.1"  # the gateway's bind address: the only public process
    internal_host: str = "127.0.0.1"  # Rasa, the action server and the city API: bind and reach
    log_dir: Path = Path("var/log")
    log_max_bytes: int = 10 * 1024 * 1024
    log_backups: int = 5
    ports: Ports = Field(default_factory=Ports)
    dialogue: DialogueSettings = Field(default_factory=DialogueSettings)
    supervisor: SupervisorSettings = Field(default_factory=SupervisorSettings)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)
    city: CitySection = Field(default_factory=CitySection)
    kiosk: KioskSettings = Field(default_factory=KioskSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    endpointing: dict[str, Endpointing] = Field(default_factory=dict)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    gateway: GatewayServer = Field(default_factory=GatewayServer)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)

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
        return (init_settings, env_settings, yaml_source)

    @model_validator(mode="after")
    def _languages_agree(self) -> Settings:
        served = set(self.languages)
        for key, lang in (("default_lang", self.default_lang),
                          ("channels.phone_lang", self.channels.phone_lang)):
            if lang and lang not in served:
                raise ValueError(f"{key} '{lang}' is not one of languages {self.languages}")
        return self

    def url(self, service: ServiceName) -> str:
        """Where a process reaches `service`: the gateway on `host`, the others on
        `internal_host`."""
        port: int = getattr(self.ports, service)
        host = self.host if service == "gateway" else self.internal_host
        return f"http://{host}:{port}"

    def endpointing_for(self, channel: str) -> Endpointing:
        return self.endpointing.get(channel, Endpointing())

    def accepts(self, lang: str) -> bool:
        """Whether the gateway serves sessions in `lang` (config.yml `languages`)."""
        return lang in self.languages

    def resolve(self, path: Path) -> Path:
        """Relative paths in the config are relative to the project root."""
        return path if path.is_absolute() else ROOT / path


def config_path() -> Path:
    """config.yml of the project, or the file named by `ASSISTANT_CONFIG` (which must exist)."""
    named = os.environ.get("ASSISTANT_CONFIG")
    if not named:
        return DEFAULT_CONFIG
    path = Path(named)
    if not path.is_file():
        raise ConfigError(f"ASSISTANT_CONFIG names {path}, which is not a file")
    return path


def production() -> bool:
    return os.environ.get("ASSISTANT_ENV", "").strip().lower() == "production"


def load_settings(**overrides: Any) -> Settings:
    """config.yml + environment, checked: unknown keys, bad values and (in production) demo
    secrets raise ConfigError with a message for the operator."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(explain(exc, config_path())) from None
    warn_unknown_env(set(Settings.model_fields))
    if production():
        refuse_demo_secrets(settings)
    return settings


def refuse_demo_secrets(settings: Settings) -> None:
    """`ASSISTANT_ENV=production`: the demo tokens and city key are published; refuse them."""
    problems = []
    demo_tokens = sorted(DEMO_VOICE_TOKENS & set(settings.channels.voice_tokens))
    if demo_tokens:
        problems.append(f"channels.voice_tokens holds the demo token(s) {demo_tokens}")
    for key, demo in (("operator_tokens", DEMO_OPERATOR_TOKENS),
                      ("route_tokens", DEMO_ROUTE_TOKENS)):
        found = sorted(demo & set(getattr(settings.channels, key)))
        if found:
            problems.append(f"channels.{key} holds the demo token(s) {found}")
    if os.environ.get("CITY_API_KEY", settings.city.api_key) == DEMO_CITY_API_KEY:
        problems.append(f"city.api_key is the demo key '{DEMO_CITY_API_KEY}'")
    demo_clients = sorted(n for n, key in settings.city.clients.items() if key == DEMO_CITY_API_KEY)
    if demo_clients:
        problems.append(f"city.clients {demo_clients} use the demo key '{DEMO_CITY_API_KEY}'")
    if problems:
        raise ConfigError(
            "ASSISTANT_ENV=production refuses the published demo secrets: " + "; ".join(problems)
            + f". Set real ones in {config_path()} or with environment variables "
            "(ASSISTANT_CHANNELS__VOICE_TOKENS='[\"...\"]', CITY_API_KEY=...)"
        )


def explain(exc: ValidationError, config: Path, section: str = "") -> str:
    """One line per problem: the dotted key, where it came from, and what is wrong."""
    lines = [f"invalid settings in {config} or ASSISTANT_* environment variables:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in (section, *error["loc"]) if part != "")
        env_name = ENV_PREFIX + key.upper().replace(".", "__")
        where = f"environment variable {env_name}" if env_name in os.environ else str(config)
        if not error["loc"]:
            lines.append(f"  {error['msg']}")
        elif error["type"] == "extra_forbidden":
            lines.append(f"  unknown key '{key}' (in {where}); see README 'Configuration'")
        else:
            lines.append(f"  '{key}' (in {where}): {error['msg']}")
    return "\n".join(lines)


def warn_unknown_env(fields: set[str]) -> None:
    """`ASSISTANT_*` variables that name no setting are ignored, with a warning (a typo?)."""
    for name in sorted(os.environ):
        if not name.startswith(ENV_PREFIX) or name in OWN_ENV:
            continue
        head = name.removeprefix(ENV_PREFIX).split("__", 1)[0].lower()
        if head not in fields:
            log.warning("%s names no setting of config.yml and is ignored", name)
