"""Only Rasa may call the action server: `Authorization: Bearer <secrets.actions_token>`.

Rasa sends the header from nlu/endpoints.yml (`action_endpoint.headers`). Every route but the
health checks needs it: /webhook runs actions with the caller's tracker, /actions lists them.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

OPEN_PATHS = frozenset({"/health", "/healthz"})


def refusal(token: str, path: str, headers: Mapping[str, str]) -> int | None:
    """None when the request may pass; else its HTTP status (401: no bearer, 403: wrong one).
    An empty `token` refuses every call but the health checks."""
    if path in OPEN_PATHS:
        return None
    scheme, _, supplied = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not supplied.strip():
        return 401
    if not token or not hmac.compare_digest(supplied.strip().encode(), token.encode()):
        return 403
    return None


def install(app: Sanic[Any, Any], token: str) -> None:
    """A request middleware on `app` that answers `refusal`'s status before any route runs."""

    async def check_caller(request: Request) -> HTTPResponse | None:
        status = refusal(token, request.path, request.headers)
        if status is None:
            return None
        return response.json({"error": "the action server takes Rasa's calls only"},
                             status=status)

    app.register_middleware(check_caller, "request")
