"""Prometheus metrics of the gateway (issue 12, item 5), served at `GET /metrics`.

Per-stage histograms (seconds) of the voice pipeline and of every dialogue turn, the admission
gauges (calls in progress, places, refused calls, draining) and the HTTP metrics of
prometheus-fastapi-instrumentator (`http_requests_total`, `http_request_duration_seconds`).

`/metrics` is internal: it answers callers on the loopback interface (a reverse proxy on the same
host passes the client's address in X-Forwarded-For, which uvicorn honours from 127.0.0.1), and
anyone else only with `Authorization: Bearer <gateway.metrics_token>`; everyone else gets 404.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator

from assistant.gateway.admission import Admission

# a turn's stages take 10 ms .. a few s; the targets are 60 ms (/v1/text) and 1 s (first audio)
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0,
                 3.0, 5.0, 10.0)

ASR_FINAL = Histogram(
    "gorod_asr_endpoint_to_final_seconds",
    "From the end of an utterance (endpoint) to the final transcript", buckets=STAGE_BUCKETS)
DIALOGUE_TURN = Histogram(
    "gorod_dialogue_turn_seconds",
    "One dialogue turn: gateway -> Rasa -> reply (voice and /v1/text)", buckets=STAGE_BUCKETS)
TTS = Histogram("gorod_tts_seconds", "Synthesis of one reply", buckets=STAGE_BUCKETS)
FIRST_AUDIO = Histogram(
    "gorod_speech_end_to_first_audio_seconds",
    "From the end of the caller's speech (endpoint silence included) to the first reply audio",
    buckets=STAGE_BUCKETS)


class AdmissionCollector(Collector):
    """Reads the admission of the gateway app made last (one per process in production)."""

    def __init__(self) -> None:
        self.admission: Admission | None = None

    def collect(self) -> Iterator[Metric]:
        admission = self.admission
        if admission is None:
            return
        yield GaugeMetricFamily("gorod_gateway_active_calls",
                                "Voice calls holding a place now", value=admission.active)
        yield GaugeMetricFamily("gorod_gateway_capacity_calls",
                                "Places for voice calls (asr.max_streams)",
                                value=admission.capacity)
        yield GaugeMetricFamily("gorod_gateway_draining", "1 while the gateway drains (SIGTERM)",
                                value=int(admission.draining))
        yield CounterMetricFamily("gorod_gateway_refused_calls",
                                  "Voice calls refused: over capacity or draining",
                                  value=admission.refused)


_ADMISSION = AdmissionCollector()
REGISTRY.register(_ADMISSION)


def internal_caller(request: Request, token: str) -> bool:
    """A loopback caller, or one that shows the metrics token."""
    if token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install(app: FastAPI, admission: Admission, token: str) -> None:
    """HTTP metrics for every route, the admission gauges and the guarded `GET /metrics`."""
    _ADMISSION.admission = admission
    Instrumentator(excluded_handlers=["/metrics", "/healthz"]).instrument(app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not internal_caller(request, token):
            return Response(status_code=404)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
