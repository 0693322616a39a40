"""`assistant up --scale`: every process as N replicas on one machine, on loopback.

    callers ──HTTP/WS──▶ HAProxy :ports.gateway ──leastconn──▶ gateway-1..N (free ports)
    PBX ──AudioSocket──▶ HAProxy :channels.audiosocket_port ──TCP──▶ gateway-1..N
    gateway-k ──consistent hash of the session id──▶ rasa-1..N (free ports; no balancer)
    rasa-k ──▶ HAProxy :ports.actions ──roundrobin──▶ actions-1..N
    actions-k ──▶ HAProxy :ports.cityservices ──roundrobin──▶ cityservices-1..N
    rasa-*: conversations in PostgreSQL (database `tracker`), turn locks in Redis
    cityservices-*: one PostgreSQL database `city`

The replicas share nothing in memory: Rasa's trackers are read from and written to PostgreSQL
every turn and locked in Redis, the city's data is in PostgreSQL, and the gateways, action servers
and city back-ends keep no conversation state between requests. Each replica is a child of the
supervisor (restarted alone when it dies); so is HAProxy. PostgreSQL (cityservices/pgtemp.py's
throwaway cluster, or config.yml's URLs) and Redis (own redis-server, or `scale.redis_url`) live
as long as `assistant up --scale`. Who listens where, with pids, is written to
`<scale.state_dir>/topology.json` (mode 0600: it holds the HAProxy statistics password).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.cli.haproxy import STATS_USER, HaproxyPlan, Server, render
from assistant.cli.scale_stores import (
    RedisEndpoint,
    RedisServer,
    ScalePostgres,
    free_port,
)
from assistant.cli.stack import (
    NLU_DIR,
    ServiceSpec,
    actions_env,
    base_env,
    city_env,
    gateway_env,
    rasa_command,
    rasa_env,
    with_secrets,
)
from assistant.settings import Settings

HAPROXY = "haproxy"
HAPROXY_HINT = "HAProxy is not installed: run `apt-get install -y haproxy` (manage.sh setup)"


class ScaleError(RuntimeError):
    """The scaled topology cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class Topology:
    settings: Settings  # with this start's secrets
    state_dir: Path
    rasa: tuple[int, ...]
    actions: tuple[int, ...]
    cityservices: tuple[int, ...]
    gateways: tuple[int, ...]
    audiosockets: tuple[int, ...]  # each gateway's own AudioSocket port (0: off)
    stats_port: int
    stats_password: str
    tracker_url: str
    city_db_url: str
    redis: RedisEndpoint

    def url(self, port: int) -> str:
        return f"http://{self.settings.internal_host}:{port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [self.url(port) for port in self.rasa]

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.stats_port}/stats"


def plan(settings: Settings, tracker_url: str, city_db_url: str, redis: RedisEndpoint,
         stats_password: str) -> Topology:
    """Free loopback ports for every replica; the front ports stay config.yml's `ports`."""
    scale, host = settings.scale, settings.internal_host

    def ports(count: int) -> tuple[int, ...]:
        return tuple(free_port(host) for _ in range(count))

    audiosockets = (ports(scale.gateways) if settings.channels.audiosocket_port
                    else (0,) * scale.gateways)
    return Topology(settings=settings, state_dir=settings.resolve(scale.state_dir),
                    rasa=ports(scale.rasa), actions=ports(scale.actions),
                    cityservices=ports(scale.cityservices), gateways=ports(scale.gateways),
                    audiosockets=audiosockets, stats_port=free_port("127.0.0.1"),
                    stats_password=stats_password, tracker_url=tracker_url,
                    city_db_url=city_db_url, redis=redis)


def haproxy_plan(top: Topology) -> HaproxyPlan:
    s = top.settings
    return HaproxyPlan(
        internal_host=s.internal_host, public_host=s.host,
        actions_port=s.ports.actions,
        actions=[Server(f"actions-{n}", p) for n, p in enumerate(top.actions, 1)],
        city_port=s.ports.cityservices,
        cityservices=[Server(f"cityservices-{n}", p) for n, p in enumerate(top.cityservices, 1)],
        gateway_port=s.ports.gateway,
        gateways=[Server(f"gateway-{n}", p) for n, p in enumerate(top.gateways, 1)],
        audiosocket_host=s.channels.audiosocket_host,
        audiosocket_port=s.channels.audiosocket_port,
        audiosockets=[Server(f"gateway-{n}", a, check_port=p)
                      for n, (p, a) in enumerate(zip(top.gateways, top.audiosockets,
                                                     strict=True), 1)],
        audiosocket_peers=s.channels.audiosocket_peers, stats_port=top.stats_port,
        stats_password=top.stats_password, metrics_token=s.gateway.metrics_token)


def _spec(top: Topology, name: str, command: tuple[str, ...], port: int, env: dict[str, str],
          cwd: Path | None = None, url_path: str = "") -> ServiceSpec:
    settings = top.settings
    base = top.url(port)
    spec = ServiceSpec(name=name, command=command, health_url=f"{base}/healthz",
                       url=base + url_path, env=env, log_dir=settings.resolve(settings.log_dir))
    return replace(spec, cwd=cwd) if cwd is not None else spec


def specs(top: Topology) -> list[ServiceSpec]:
    """HAProxy first (so it stops last: gateways drain through it), then the replicas."""
    settings, python, host = top.settings, sys.executable, top.settings.internal_host
    config = top.state_dir / "haproxy.cfg"
    out = [ServiceSpec(name="haproxy", command=(_haproxy(), "-db", "-f", str(config)),
                       health_url=f"http://127.0.0.1:{top.stats_port}/healthz",
                       url=top.stats_url, log_dir=settings.resolve(settings.log_dir))]
    city = city_env(settings) | {"CITY_DB_URL": top.city_db_url}
    for n, port in enumerate(top.cityservices, 1):
        seed = {"CITY_SEED_ON_START": "true" if n == 1 else "false"}  # one daily top-up
        out.append(_spec(top, f"cityservices-{n}", (python, "-m", "cityservices", "serve",
                         "--host", host, "--port", str(port)), port, city | seed,
                         url_path="/docs"))
    for n, port in enumerate(top.actions, 1):
        out.append(_spec(top, f"actions-{n}", (python, "-m", "actions.server", "--host", host,
                         "--port", str(port)), port, actions_env(settings), url_path="/webhook"))
    dialogue = settings.dialogue.model_copy(update={"tracker_store_url": top.tracker_url})
    rasa = rasa_env(settings.model_copy(update={"dialogue": dialogue})) | top.redis.env()
    for n, port in enumerate(top.rasa, 1):
        out.append(_spec(top, f"rasa-{n}", rasa_command(settings, port), port, rasa,
                         cwd=NLU_DIR))
    for n, (port, audio) in enumerate(zip(top.gateways, top.audiosockets, strict=True), 1):
        env = gateway_env(settings) | {
            "ASSISTANT_PORTS__GATEWAY": str(port),
            "ASSISTANT_CHANNELS__AUDIOSOCKET_PORT": str(audio),
            "ASSISTANT_CHANNELS__AUDIOSOCKET_HOST": host,
            "ASSISTANT_CHANNELS__AUDIOSOCKET_PEERS": "[]",  # HAProxy checks the peers
            "ASSISTANT_DIALOGUE__RASA_URLS": json.dumps(top.rasa_urls),
        }
        spec = _spec(top, f"gateway-{n}", (python, "-m", "assistant.gateway", "--host", host,
                     "--port", str(port)), port, env, url_path="/v1/text")
        out.append(replace(spec, stop_grace_s=settings.gateway.drain_s + 10.0))
    return out


def seed_city(top: Topology) -> None:
    """Migrate and seed the city database once, before its replicas start (they would race)."""
    env = base_env() | city_env(top.settings) | {"CITY_DB_URL": top.city_db_url}
    result = subprocess.run([sys.executable, "-m", "cityservices", "seed"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise ScaleError(f"seeding the city database failed:\n{result.stdout}{result.stderr}")


def describe(top: Topology, pids: dict[str, int]) -> dict[str, Any]:
    """topology.json: what a load test needs to find (and kill) a replica."""
    s = top.settings
    pg = top.tracker_url.rsplit("@", 1)[-1]  # no password
    return {
        "gateway": s.url("gateway"),
        "audiosocket": (f"tcp://{s.channels.audiosocket_host}:{s.channels.audiosocket_port}"
                        if s.channels.audiosocket_port else ""),
        "actions": s.url("actions"), "cityservices": s.url("cityservices"),
        "haproxy": {"stats": top.stats_url, "stats_csv": top.stats_url + ";csv",
                    "user": STATS_USER, "password": top.stats_password,
                    "pid": pids.get("haproxy")},
        "rasa": [{"name": f"rasa-{n}", "url": url, "pid": pids.get(f"rasa-{n}")}
                 for n, url in enumerate(top.rasa_urls, 1)],
        "gateways": [{"name": f"gateway-{n}", "url": top.url(p), "audiosocket_port": a,
                      "pid": pids.get(f"gateway-{n}")}
                     for n, (p, a) in enumerate(zip(top.gateways, top.audiosockets,
                                                    strict=True), 1)],
        "action_servers": [{"name": f"actions-{n}", "url": top.url(p),
                            "pid": pids.get(f"actions-{n}")}
                           for n, p in enumerate(top.actions, 1)],
        "city_services": [{"name": f"cityservices-{n}", "url": top.url(p),
                           "pid": pids.get(f"cityservices-{n}")}
                          for n, p in enumerate(top.cityservices, 1)],
        "postgresql": pg, "redis": f"{top.redis.host}:{top.redis.port}/{top.redis.db}",
    }


def write_topology(top: Topology, pids: dict[str, int]) -> Path:
    path = top.state_dir / "topology.json"
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(describe(top, pids), fh, indent=2)
    temp.replace(path)
    return path


def _postgres_url(url: str) -> bool:
    return url.startswith("postgresql")


@contextmanager
def scaled(settings: Settings) -> Iterator[Topology]:
    """Start the stores (configured or throwaway), write haproxy.cfg, seed the city database;
    yield the topology whose `specs` the supervisor runs; stop the stores after."""
    import secrets

    from cityservices.pgtemp import PostgresUnavailable

    settings = with_secrets(settings)
    _haproxy()
    state_dir = settings.resolve(settings.scale.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    tracker_url = settings.dialogue.tracker_store_url
    city_url = os.environ.get("CITY_DB_URL") or settings.city.db_url
    with ExitStack() as stores:
        if not (_postgres_url(tracker_url) and _postgres_url(city_url)):
            try:
                pg = stores.enter_context(ScalePostgres())
            except PostgresUnavailable as exc:
                raise ScaleError(str(exc)) from None
            if not _postgres_url(tracker_url):
                tracker_url = pg.url_of("tracker", "postgresql")
            if not _postgres_url(city_url):
                city_url = pg.url_of("city", "postgresql+psycopg")
        if settings.scale.redis_url:
            redis = RedisEndpoint.parse(settings.scale.redis_url)
        else:
            server = RedisServer(state_dir)
            stores.callback(server.stop)
            redis = server.start()
        top = plan(settings, tracker_url, city_url, redis, secrets.token_urlsafe(18))
        config = state_dir / "haproxy.cfg"
        config.write_text(render(haproxy_plan(top)), encoding="utf-8")
        config.chmod(0o600)  # the statistics password
        seed_city(top)
        yield top


def _haproxy() -> str:
    """Debian installs it in /usr/sbin, which a user's PATH may lack."""
    import shutil

    found = shutil.which(HAPROXY) or shutil.which(HAPROXY, path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise ScaleError(HAPROXY_HINT)
    return found
