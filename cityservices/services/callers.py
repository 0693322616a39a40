"""Who is calling, for per-caller limits: a signed caller id from the action server, else the
address.

The action server names the conversation behind a request in ``X-Caller: <id>.<signature>``:
``id`` is an opaque hash of the conversation (never a phone number), ``signature`` is
HMAC-SHA256(``city.caller_secret``, id) in hex. A header without a valid signature, or any header
while no secret is set, is ignored and never trusted: the caller is then the API client plus the
client address, which uvicorn takes from ``X-Forwarded-For`` only when the peer is one of
``city.forwarded_allow_ips``.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from fastapi import Request

from cityservices.settings import CitySettings

HEADER = "X-Caller"
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def sign(secret: str, caller_id: str) -> str:
    """The header value for ``caller_id`` (what the action server sends)."""
    mac = hmac.new(secret.encode(), caller_id.encode(), hashlib.sha256).hexdigest()
    return f"{caller_id}.{mac}"


def verified(secret: str, value: str | None) -> str | None:
    """The caller id of a correctly signed header, else None."""
    if not secret or not value or value.count(".") != 1:
        return None
    caller_id = value.split(".")[0]
    if not _ID.match(caller_id):
        return None
    return caller_id if hmac.compare_digest(sign(secret, caller_id), value) else None


def caller_of(request: Request, settings: CitySettings) -> str:
    """``caller:<id>`` when signed, else ``<api client>@<address>``."""
    caller_id = verified(settings.caller_secret, request.headers.get(HEADER))
    if caller_id is not None:
        return f"caller:{caller_id}"
    client = getattr(request.state, "city_client", "") or "anonymous"
    host = request.client.host if request.client else "unknown"
    return f"{client}@{host}"
