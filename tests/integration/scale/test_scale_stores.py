"""The pieces of `assistant up --scale` that need no Rasa: the PostgreSQL cluster (passwords,
the two databases), the Redis lock store's server (password, loopback) and haproxy.cfg, which
the real HAProxy must accept."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest

from assistant.cli.haproxy import HaproxyPlan, Server, render
from assistant.cli.scale_stores import RedisEndpoint, RedisServer, ScalePostgres, free_port
from cityservices.pgtemp import PostgresUnavailable


def test_postgres_has_both_databases_and_wants_a_password() -> None:
    try:
        pg = ScalePostgres().__enter__()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc))
    try:
        for database in ("tracker", "city"):
            url = pg.url_of(database, "postgresql")
            with psycopg.connect(url) as conn:
                assert conn.execute("select current_database()").fetchone() == (database,)
        no_password = f"host=127.0.0.1 port={pg.port} user=postgres dbname=tracker"
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(no_password).close()
    finally:
        pg.stop()


def resp(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        return sock.recv(200)


def test_redis_binds_loopback_and_wants_its_password(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)
    endpoint = server.start()
    try:
        assert server.ping()
        assert resp(endpoint.port, b"PING\r\n").startswith(b"-NOAUTH")
        assert resp(endpoint.port, b"AUTH wrong\r\n").startswith(b"-WRONGPASS")
        assert (tmp_path / "redis.conf").stat().st_mode & 0o077 == 0
        assert endpoint.env()["LOCK_STORE_TYPE"] == "redis"
    finally:
        server.stop()
    assert not server.ping()


def test_a_configured_redis_url_is_parsed() -> None:
    endpoint = RedisEndpoint.parse("redis://:s3cret@redis.internal:6380/2")
    assert endpoint == RedisEndpoint("redis.internal", 6380, "s3cret", 2)


def test_haproxy_accepts_the_config(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy is None:
        pytest.fail("HAProxy is not installed: `apt-get install -y haproxy` (manage.sh setup)")
    plan = HaproxyPlan(
        internal_host="127.0.0.1", public_host="127.0.0.1", actions_port=free_port(),
        actions=[Server("actions-1", 1), Server("actions-2", 2)], city_port=free_port(),
        cityservices=[Server("cityservices-1", 3)], gateway_port=free_port(),
        gateways=[Server("gateway-1", 4)], audiosocket_host="127.0.0.1",
        audiosocket_port=free_port(), audiosockets=[Server("gateway-1", 5, check_port=4)],
        audiosocket_peers=["10.0.0.5"], stats_port=free_port(), stats_password="pw",
        metrics_token="tok")
    config = tmp_path / "haproxy.cfg"
    config.write_text(render(plan), encoding="utf-8")
    result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text()
    assert "tcp-request connection reject unless { src 10.0.0.5 }" in text
    assert "if metrics !loopback !bearer" in text
