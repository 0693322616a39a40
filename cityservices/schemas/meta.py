"""Liveness."""

from __future__ import annotations

from typing import Literal

from cityservices.schemas.common import Out


class HealthStatus(Out):
    status: Literal["ok"]
