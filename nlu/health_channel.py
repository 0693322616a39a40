"""Input channel "healthz": `GET /healthz` on Rasa's own server, like every other service.

200 {"status": "ok"} once the model is loaded and the agent can answer; 503 before that, and
while conversations are not being persisted (city_tracker_store.problem).
Registered in credentials.yml; it takes no messages.
"""

from typing import Any, Awaitable, Callable, Text

import city_tracker_store
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "healthz"

    def url_prefix(self) -> Text:
        return "/healthz"  # absolute: mounted at the root, not under /webhooks/

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("healthz", __name__)

        @health.route("", methods=["GET"])
        async def healthz(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            trouble = city_tracker_store.problem(agent)
            if trouble:  # conversations are not persisted (city_tracker_store.py)
                return response.json({"status": "tracker-store", "detail": trouble}, status=503)
            return response.json({"status": "ok"})

        return health
