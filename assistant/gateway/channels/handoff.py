"""Warm handoff to a human operator: the masked summary goes to `channels.handoff_webhook`.

The caller has already heard the dialogue's handoff line; this POST carries the task, the
filled slots (masked by the actions and masked again here) and the last turns. A webhook that is
down or slow is logged with the call id and never breaks the call.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from assistant.settings import Settings
from spoken.privacy import mask_pii

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_S = 3.0


def mask_summary(value: Any) -> Any:
    """Mask personal data in every string of a JSON-like value."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {str(k): mask_summary(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_summary(v) for v in value]
    return value


async def post_handoff(settings: Settings, body: dict[str, Any]) -> bool:
    """POST the summary; True when the webhook took it (2xx)."""
    call_id = body.get("call_id", "?")
    url = settings.channels.handoff_webhook
    if not url:
        log.warning("handoff on call %s: no channels.handoff_webhook configured", call_id)
        return False
    try:
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S) as client:
            response = await client.post(url, json=body)
            response.raise_for_status()
    except httpx.HTTPError as exc:
        log.error("handoff on call %s: webhook %s failed: %r", call_id, url, exc)
        return False
    log.info("handoff on call %s: summary posted to %s (task %s)", call_id, url,
             body.get("summary", {}).get("task") if isinstance(body.get("summary"), dict)
             else None)
    return True
