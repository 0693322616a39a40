"""Prometheus metrics of the city back-ends (issue 12, item 5), served at `GET /metrics`.

prometheus-fastapi-instrumentator's HTTP metrics (`http_requests_total{handler,method,status}`,
`http_request_duration_seconds{handler}`), and `gorod_city_rate_limited_total{handler}`: the 429
answers of the identification back-off (`city.identify_max_failures_per_*`). The back-ends bind
the internal address only, so `/metrics` is open there, like `/healthz`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import Counter
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from prometheus_fastapi_instrumentator.metrics import Info

RATE_LIMITED = Counter("gorod_city_rate_limited_total",
                       "Requests refused with 429 (identification back-off)", ["handler"])
IDENTIFY = "/health/v1/patients/identify"


def rate_limit_hits() -> Callable[[Info], None]:
    def instrumentation(info: Info) -> None:
        if info.response is not None and info.response.status_code == 429:
            RATE_LIMITED.labels(info.modified_handler).inc()

    return instrumentation


def install(app: FastAPI) -> None:
    RATE_LIMITED.labels(IDENTIFY)  # the series exists from the start (0)
    instrumentator = Instrumentator(excluded_handlers=["/metrics", "/healthz"])
    instrumentator.add(metrics.default())
    instrumentator.add(rate_limit_hits())
    instrumentator.instrument(app).expose(app, include_in_schema=False)
