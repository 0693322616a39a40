"""The city's clock: every "today" and "now" of the actions, in the city's zone (Moscow).

The back-ends count days in Moscow time (`city.timezone` in config.yml); the actions read the
same key, so "завтра" said at 23:30 in Moscow is the Moscow tomorrow on any host. Tests freeze the
clock with `frozen(...)` instead of patching `datetime`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from actions.settings import current_settings

logger = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Moscow"
_utc_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def zone() -> ZoneInfo:
    """The configured zone (`city.timezone`), or Moscow when unset or unknown."""
    try:
        name = current_settings().city.timezone or DEFAULT_ZONE
    except Exception:  # a broken config is reported by the server at start, not here
        name = DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r, using %s", name, DEFAULT_ZONE)
        return ZoneInfo(DEFAULT_ZONE)


def now() -> datetime:
    """The city's wall clock, aware."""
    return _utc_now().astimezone(zone())


def today() -> date:
    """The city's date."""
    return now().date()


@contextmanager
def frozen(utc: datetime) -> Iterator[None]:
    """Tests: the clock stands at `utc` (an aware datetime) inside the block."""
    global _utc_now
    saved = _utc_now
    _utc_now = lambda: utc  # noqa: E731
    try:
        yield
    finally:
        _utc_now = saved
