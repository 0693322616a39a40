"""Which Rasa replica serves a conversation: a consistent hash ring of their URLs.

Every turn of one conversation goes to the same replica (the first on the ring after the hash of
its session id), so that replica serialises the turns in its own process. Adding or removing a
replica moves only the conversations that hashed to it. A replica that failed (connection refused,
timeout, 5xx) is marked down and skipped for `down_s`; its conversations go to the next replica on
the ring, which reads their tracker from the shared store (PostgreSQL). After `down_s` it is taken
back only when its `/healthz` answers 200 (asked by the caller, see DialogueClient).
"""

from __future__ import annotations

import bisect
import hashlib
import time
from collections.abc import Callable, Sequence

VIRTUAL_NODES = 64  # points per replica on the ring: an even spread over a few replicas


def _point(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


class HashRing:
    """A consistent hash ring of replica URLs."""

    def __init__(self, urls: Sequence[str], virtual_nodes: int = VIRTUAL_NODES) -> None:
        unique = list(dict.fromkeys(url.rstrip("/") for url in urls))
        if not unique:
            raise ValueError("a hash ring needs at least one replica")
        self.urls = tuple(unique)
        points = sorted((_point(f"{url}#{n}"), url) for url in unique
                        for n in range(virtual_nodes))
        self._keys = [point for point, _ in points]
        self._urls = [url for _, url in points]

    def order(self, key: str) -> list[str]:
        """Every replica once, in ring order from `key`'s point: the first is its owner, the
        next ones take over when it is down."""
        start = bisect.bisect(self._keys, _point(key))
        seen: dict[str, None] = {}
        for n in range(len(self._urls)):
            seen.setdefault(self._urls[(start + n) % len(self._urls)], None)
            if len(seen) == len(self.urls):
                break
        return list(seen)


class Replicas:
    """The ring plus which replicas are down, and until when."""

    def __init__(self, urls: Sequence[str], down_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ring = HashRing(urls)
        self.down_s = down_s
        self._clock = clock
        self._down_until: dict[str, float] = {}

    @property
    def urls(self) -> tuple[str, ...]:
        return self.ring.urls

    def candidates(self, session_id: str) -> list[str]:
        """The replicas to try for `session_id`, in order: those up in ring order, then those
        down (a last resort rather than no answer)."""
        order = self.ring.order(session_id)
        up = [url for url in order if not self.is_down(url)]
        return up + [url for url in order if url not in up]

    def is_down(self, url: str) -> bool:
        return self._clock() < self._down_until.get(url, 0.0)

    def due_for_check(self, url: str) -> bool:
        """Marked down once, and its down time is over: ask its health before using it."""
        return url in self._down_until and not self.is_down(url)

    def mark_down(self, url: str) -> None:
        self._down_until[url] = self._clock() + self.down_s

    def mark_up(self, url: str) -> None:
        self._down_until.pop(url, None)
