"""The shared stores of `assistant up --scale`, on loopback: PostgreSQL and Redis.

PostgreSQL holds Rasa's conversations (database `tracker`, the SQL tracker store) and the city
back-ends' data (database `city`), unless config.yml names them (`dialogue.tracker_store_url`,
`city.db_url` set to PostgreSQL URLs). The throwaway cluster is cityservices/pgtemp.py's, with
one change: once started it takes passwords (scram-sha-256) instead of trusting loopback.
Redis holds Rasa's lock store (nlu/endpoints.yml `lock_store`) unless `scale.redis_url` names
one: a `redis-server` of its own, on a free loopback port, with a random password, no disk.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from cityservices.pgtemp import PG_BIN, TempPostgres

REDIS_SERVER = "redis-server"
REDIS_HINT = "Redis is not installed: run `apt-get install -y redis-server` (manage.sh setup)"
PG_HBA = ("local all all scram-sha-256\n"
          "host all all 127.0.0.1/32 scram-sha-256\n"
          "host all all ::1/128 scram-sha-256\n")


class StoreUnavailable(RuntimeError):
    """A store would not start; the message says how to get it."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class RedisEndpoint:
    host: str
    port: int
    password: str
    db: int = 1

    @classmethod
    def parse(cls, url: str) -> RedisEndpoint:
        """redis://[:password@]host[:port][/db]"""
        parts = urlsplit(url)
        if parts.scheme != "redis" or not parts.hostname:
            raise StoreUnavailable(f"scale.redis_url {url!r} is not redis://[:pw@]host:port/db")
        db = parts.path.strip("/")
        return cls(parts.hostname, parts.port or 6379, parts.password or "",
                   int(db) if db else 1)

    def env(self) -> dict[str, str]:
        """The lock store's variables of nlu/endpoints.yml."""
        return {"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": self.host,
                "LOCK_STORE_PORT": str(self.port), "LOCK_STORE_PASSWORD": self.password,
                "LOCK_STORE_DB": str(self.db)}


class RedisServer:
    """`redis-server` on loopback for one run: a free port, a random password, no persistence."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.endpoint = RedisEndpoint("127.0.0.1", free_port(), secrets.token_urlsafe(24))
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        return "\n".join((
            "bind 127.0.0.1", f"port {self.endpoint.port}", "protected-mode yes",
            f"requirepass {self.endpoint.password}", 'save ""', "appendonly no",
            f"dir {self.state_dir}", f"logfile {self.state_dir / 'redis.log'}",
            "daemonize no", "")) + "\n"

    def start(self, timeout_s: float = 20.0) -> RedisEndpoint:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        conf = self.state_dir / "redis.conf"
        conf.write_text(self.config(), encoding="utf-8")
        conf.chmod(0o600)  # it holds the password
        try:
            self.process = subprocess.Popen([REDIS_SERVER, str(conf)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, start_new_session=True)
        except FileNotFoundError:
            raise StoreUnavailable(REDIS_HINT) from None
        deadline = time.monotonic() + timeout_s
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise StoreUnavailable(f"redis-server did not start; see {self.state_dir}/"
                                       "redis.log")
            time.sleep(0.05)
        return self.endpoint

    def ping(self) -> bool:
        """AUTH and PING over the Redis protocol (RESP)."""
        try:
            with socket.create_connection(("127.0.0.1", self.endpoint.port), timeout=1.0) as sock:
                sock.sendall(f"AUTH {self.endpoint.password}\r\nPING\r\n".encode())
                answer = b""
                while b"PONG" not in answer and len(answer) < 200:
                    chunk = sock.recv(200)
                    if not chunk:
                        break
                    answer += chunk
                return answer.startswith(b"+OK") and b"+PONG" in answer
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class ScalePostgres(TempPostgres):
    """cityservices/pgtemp.py's throwaway cluster, with the databases `tracker` and `city`, and
    a password for its owner once started (loopback connections need it from then on)."""

    def __init__(self) -> None:
        super().__init__(database="tracker")
        self.password = secrets.token_urlsafe(24)

    def start(self) -> str:
        super().start()
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "city"')
            conn.execute(f"ALTER ROLE postgres PASSWORD '{self.password}'")
        assert self.root is not None
        (self.root / "data" / "pg_hba.conf").write_text(PG_HBA, encoding="utf-8")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "reload")
        self.url = self.url_of("tracker", "postgresql")
        return self.url

    def url_of(self, database: str, driver: str) -> str:
        """`postgresql` (psycopg2: Rasa's environment) or `postgresql+psycopg` (the city API)."""
        return f"{driver}://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def __enter__(self) -> ScalePostgres:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
