"""haproxy.cfg of `assistant up --scale`: Debian's HAProxy in front of the replicas.

- HTTP mode, round robin, health checks on /healthz: the action servers (Rasa calls them at
  `ports.actions`) and the city back-ends (the action servers call them at `ports.cityservices`).
- HTTP mode, least connections: the gateways at `host:ports.gateway` (text, WebSocket voice).
  `/metrics` answers loopback callers only, or a caller with `gateway.metrics_token`: behind
  HAProxy every gateway sees loopback, so HAProxy checks for it.
- TCP mode, least connections: AudioSocket calls at `channels.audiosocket_host:audiosocket_port`,
  spread over the gateways; `channels.audiosocket_peers`, when set, are checked here.
- The statistics page (`/stats`, `/stats;csv`) on a loopback port with a random password;
  `/healthz` there is HAProxy's own health (the supervisor's check).
Servers are checked every second and taken out after two failures; a request whose connection
failed is sent to another server (`option redispatch`), never one that reached a server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

STATS_USER = "gorod"


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    check_port: int | None = None  # TCP servers: the health check goes to their HTTP port


@dataclass(frozen=True)
class HaproxyPlan:
    internal_host: str
    public_host: str
    actions_port: int
    actions: Sequence[Server]
    city_port: int
    cityservices: Sequence[Server]
    gateway_port: int
    gateways: Sequence[Server]
    audiosocket_host: str
    audiosocket_port: int  # 0: no AudioSocket frontend
    audiosockets: Sequence[Server]
    audiosocket_peers: Sequence[str]
    stats_port: int
    stats_password: str
    metrics_token: str = ""


def _servers(servers: Sequence[Server], host: str) -> list[str]:
    lines = []
    for server in servers:
        check = f" port {server.check_port}" if server.check_port else ""
        lines.append(f"    server {server.name} {host}:{server.port} check{check}")
    return lines


def _http_backend(name: str, servers: Sequence[Server], host: str, balance: str) -> list[str]:
    return [f"backend {name}", f"    balance {balance}", "    option httpchk GET /healthz",
            "    http-check expect status 200", *_servers(servers, host), ""]


def _bind(host: str, port: int) -> str:
    return f"    bind {'[' + host + ']' if ':' in host else host}:{port}"


def render(plan: HaproxyPlan) -> str:
    host = plan.internal_host
    lines = [
        "# written by `assistant up --scale` (assistant/cli/haproxy.py) at each start",
        "global", "    log stdout format raw local0 notice", "    maxconn 4096", "",
        "defaults", "    mode http", "    log global", "    option dontlognull",
        "    option redispatch", "    retries 2", "    timeout connect 2s",
        "    timeout client 60s", "    timeout server 60s", "    timeout tunnel 1h",
        "    timeout http-request 10s", "    default-server inter 1s fall 2 rise 1", "",
        "frontend stats", _bind("127.0.0.1", plan.stats_port), "    stats enable",
        "    stats uri /stats", "    stats refresh 5s",
        f"    stats auth {STATS_USER}:{plan.stats_password}",
        "    monitor-uri /healthz", "",
        "frontend actions", _bind(host, plan.actions_port), "    default_backend actions", "",
        *_http_backend("actions", plan.actions, host, "roundrobin"),
        "frontend cityservices", _bind(host, plan.city_port), "    option forwardfor",
        "    default_backend cityservices", "",
        *_http_backend("cityservices", plan.cityservices, host, "roundrobin"),
        "frontend gateway", _bind(plan.public_host, plan.gateway_port),
        "    acl metrics path_beg /metrics", "    acl loopback src 127.0.0.0/8 ::1",
    ]
    if plan.metrics_token:
        lines.append(f'    acl bearer req.hdr(authorization) -m str "Bearer {plan.metrics_token}"')
        lines.append("    http-request deny deny_status 403 if metrics !loopback !bearer")
    else:
        lines.append("    http-request deny deny_status 403 if metrics !loopback")
    lines += ["    default_backend gateways", "",
              *_http_backend("gateways", plan.gateways, host, "leastconn")]
    if plan.audiosocket_port:
        lines += ["frontend audiosocket", "    mode tcp",
                  _bind(plan.audiosocket_host, plan.audiosocket_port),
                  "    timeout client 120s"]
        if plan.audiosocket_peers:
            lines.append(f"    tcp-request connection reject unless {{ src "
                         f"{' '.join(plan.audiosocket_peers)} }}")
        lines += ["    default_backend audiosockets", "",
                  "backend audiosockets", "    mode tcp", "    balance leastconn",
                  "    timeout server 120s", "    option httpchk GET /healthz",
                  "    http-check expect status 200", *_servers(plan.audiosockets, host), ""]
    return "\n".join(lines) + "\n"
