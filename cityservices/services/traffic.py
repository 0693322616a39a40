"""Traffic congestion on a 0-10 scale, derived deterministically from the clock.

For local time ``t`` (Europe/Moscow) the hour ``h`` is ``t.hour + t.minute / 60`` shifted by the
road's ``phase_min`` (its peaks come a little earlier or later). With ``g(x, mu, s) =
exp(-((x - mu) / s) ** 2)``:

* Monday-Friday:
  ``raw = base + 6.0 * g(h, 8.75, 1.25) + peak * g(h, 18.5, 1.5)`` where ``base`` is 2.5 from 07:00
  to 21:00 and 0.5 otherwise, and ``peak`` is 7.0 (8.0 on Friday).
* Saturday and Sunday:
  ``raw = 0.5 + 3.0 * g(h, 14.5, 3.0)``, plus ``1.5 * g(h, 19.0, 1.5)`` on Sunday (people return).

``level = clamp(round(raw * weight), 0, 10)``, where ``weight`` (about 0.7 to 1.3) says how
strongly the road reacts to rush hours. Same road, same minute, same level: always.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

LEVEL_TEXT = (
    (2, "свободно", "free flowing"),
    (4, "местами затруднения", "light traffic"),
    (6, "затруднённое движение", "heavy traffic"),
    (8, "пробки", "traffic jams"),
    (10, "серьёзные пробки", "gridlock"),
)


def _g(x: float, mu: float, s: float) -> float:
    return math.exp(-(((x - mu) / s) ** 2))


def raw_congestion(local: datetime, phase_min: int = 0) -> float:
    """The unweighted congestion at local time ``local`` (see the module docstring)."""
    shifted = local - timedelta(minutes=phase_min)
    h = shifted.hour + shifted.minute / 60
    weekday = shifted.weekday()
    if weekday < 5:
        base = 2.5 if 7 <= h < 21 else 0.5
        peak = 8.0 if weekday == 4 else 7.0
        return base + 6.0 * _g(h, 8.75, 1.25) + peak * _g(h, 18.5, 1.5)
    raw = 0.5 + 3.0 * _g(h, 14.5, 3.0)
    if weekday == 6:
        raw += 1.5 * _g(h, 19.0, 1.5)
    return raw


def level(local: datetime, weight: float, phase_min: int = 0) -> int:
    """Congestion 0-10 of a road with ``weight`` and ``phase_min`` at local time ``local``."""
    return max(0, min(10, round(raw_congestion(local, phase_min) * weight)))


def describe(value: int) -> tuple[str, str]:
    """Russian and English words for a level."""
    for upper, ru, en in LEVEL_TEXT:
        if value <= upper:
            return ru, en
    return LEVEL_TEXT[-1][1], LEVEL_TEXT[-1][2]
