"""REST input channel "city": like Rasa's REST channel, but keeps the gateway's metadata.

The gateway POSTs {"sender", "message", "metadata": {"lang", "channel"}} to
/webhooks/city/webhook. The metadata is cleaned (known languages and channels only)
and stored on the user message, where the custom actions read it every turn.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

LANGS = {"ru", "en"}
CHANNELS = {"kiosk", "phone", "speaker", "web"}


class CityInput(RestInput):
    """REST channel that passes `metadata` (lang, channel) through to the tracker."""

    @classmethod
    def name(cls) -> Text:
        return "city"

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        body = request.json or {}
        raw = body.get("metadata") or {}
        if not isinstance(raw, dict):
            raw = {}
        meta: Dict[Text, Any] = dict(raw)
        lang = str(raw.get("lang", "ru")).lower()[:2]
        meta["lang"] = lang if lang in LANGS else "ru"
        channel = str(raw.get("channel", "web")).lower()
        meta["channel"] = channel if channel in CHANNELS else "web"
        return meta
