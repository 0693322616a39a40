"""Input channel "metrics": `GET /metrics` on Rasa's own server, in Prometheus' text format.

Rasa's environment (nlu/requirements.lock) has no prometheus_client, so the few series are
written by hand (text exposition format 0.0.4):

- `gorod_rasa_model_loaded`: 1 once the agent has a model and can answer;
- `gorod_rasa_tracker_store_fallback`: 1 while conversations are not persisted (Rasa fell back
  to its in-memory store; city_tracker_store.problem), the state /healthz answers 503 for;
- `gorod_rasa_tracker_store_errors_total`: failures of the tracker store, the CRITICAL lines of
  city_tracker_store.py, counted since start.

Rasa binds the internal address only, so this is open, like /healthz. Registered in
credentials.yml; it takes no messages.
"""

import logging
import threading
from typing import Any, Awaitable, Callable, Text

import city_tracker_store
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _ErrorCounter(logging.Handler):
    """Counts the CRITICAL records of the tracker store's logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.CRITICAL)
        self.count = 0
        self._counting = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._counting:
            self.count += 1


def _install_counter() -> _ErrorCounter:
    store_log = logging.getLogger(city_tracker_store.__name__)
    for handler in store_log.handlers:
        if isinstance(handler, _ErrorCounter):
            return handler
    counter = _ErrorCounter()
    store_log.addHandler(counter)
    return counter


ERRORS = _install_counter()


def _series(name: Text, kind: Text, help_text: Text, value: float) -> Text:
    return f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n{name} {value:g}\n"


def exposition(agent: Any) -> Text:
    loaded = agent is not None and agent.is_ready()
    fallback = agent is not None and city_tracker_store.problem(agent) is not None
    return "".join((
        _series("gorod_rasa_model_loaded", "gauge",
                "1 once the model is loaded and the agent can answer", int(loaded)),
        _series("gorod_rasa_tracker_store_fallback", "gauge",
                "1 while conversations are not persisted (in-memory fallback)", int(fallback)),
        _series("gorod_rasa_tracker_store_errors_total", "counter",
                "Tracker store failures since start (CRITICAL in city_tracker_store)",
                ERRORS.count),
    ))


class MetricsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "metrics"

    def url_prefix(self) -> Text:
        return "/metrics"  # absolute: mounted at the root, not under /webhooks/

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        metrics = Blueprint("metrics", __name__)

        @metrics.route("", methods=["GET"])
        async def scrape(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            return response.text(exposition(agent), content_type=CONTENT_TYPE)

        return metrics
