"""Prometheus metrics of the action server (issue 12, item 5), served at `GET /metrics`.

`gorod_action_run_seconds{action}`: one action run, as rasa-sdk's executor runs it;
`gorod_city_call_seconds{service,outcome}`: one request of actions/city_client.py to the city API
(`service`: the first segment of its path, `outcome`: ok, the HTTP status class, or the failure);
a 429 of the identification back-off is `outcome="429"` (the back-ends count them too).
The action server binds the internal address only, so `/metrics` is open there, like `/healthz`.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 2.0, 3.0, 5.0,
           10.0)

ACTION_RUN = Histogram("gorod_action_run_seconds", "One custom action run", ["action"],
                       buckets=BUCKETS)
CITY_CALL = Histogram("gorod_city_call_seconds", "One request to the city API",
                      ["service", "outcome"], buckets=BUCKETS)
METRICS_PATH = "/metrics"


def city_service(path: str) -> str:
    """`/health/v1/patients/identify` -> `health`: a bounded label."""
    return path.lstrip("/").split("/", 1)[0] or "root"


def observe_city_call(path: str, outcome: str, started: float) -> None:
    CITY_CALL.labels(city_service(path), outcome).observe(time.perf_counter() - started)


class TimedExecutor(ActionExecutor):
    """rasa-sdk's executor, timing each action run by its name."""

    async def run(self, action_call: dict[str, Any], *args: Any,
                  **kwargs: Any) -> ActionExecutorRunResult | None:
        name = str(action_call.get("next_action") or "unknown")
        if name not in self.actions:
            name = "unknown"  # a bounded label: only registered actions are named
        started = time.perf_counter()
        try:
            return await super().run(action_call, *args, **kwargs)
        finally:
            ACTION_RUN.labels(name).observe(time.perf_counter() - started)

    def prepare_metrics(self) -> None:
        """Every action's series exists from the start (count 0)."""
        for name in self.actions:
            ACTION_RUN.labels(name)


def install(app: Sanic[Any, Any]) -> None:
    """`GET /metrics`, answered by a request middleware: install it before webhook_auth's, whose
    bearer check guards every other route."""

    async def metrics(request: Request) -> HTTPResponse | None:
        if request.path != METRICS_PATH or request.method != "GET":
            return None
        return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

    app.register_middleware(metrics, "request")
