"""REST input channel "city": like Rasa's REST channel, plus the session language and `nlu`.

The gateway POSTs {"sender", "message", "metadata": {"lang", "channel"}} to
/webhooks/city/webhook. The channel
- cleans the metadata (known languages and channels only);
- decides the turn's language (session_lang.effective_lang): the request's `lang` wins only
  when it differs from the previous request's (a client-side switch); otherwise the session
  language, which a spoken switch ("speak english") changed, stays. The decision goes to the
  actions as metadata `lang`; the raw request language is kept as `request_lang`;
- appends {"custom": {"event": "nlu", "intent", "confidence", "entities"}} to the answer: the
  interpretation of the user turn just handled, as the tracker store keeps it (masked; the raw
  events: inside a form, Rasa's applied events hide every turn but the first).
Neither reads the whole tracker (Rasa itself reads it once per turn): the store answers both
from what it has at hand (nlu/city_tracker_store.py `previous_turn`, `latest_parse`), and the
whole tracker is read only when that store is not the one working (fallback to memory).
The gateway is stateless; all session state lives in Rasa's tracker store.

Rasa's API token does not guard input channels: POST /webhook needs the gateway's shared secret
(header X-Channel-Secret, nlu/channel_auth.py; 401 without it, 403 with a wrong one).
"""

import gc
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import action_check
from channel_auth import caller_status, require_secret
from city_tracker_store import healthy_store
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from session_lang import LANGS, effective_lang, nlu_payload

logger = logging.getLogger(__name__)

CHANNELS = {"kiosk", "phone", "speaker", "web"}


def clean_metadata(raw: Any) -> Dict[Text, Any]:
    raw = raw if isinstance(raw, dict) else {}
    meta: Dict[Text, Any] = dict(raw)
    lang = str(raw.get("lang", "ru")).lower()[:2]
    meta["lang"] = lang if lang in LANGS else "ru"
    channel = str(raw.get("channel", "web")).lower()
    meta["channel"] = channel if channel in CHANNELS else "web"
    return meta


def previous_turn(tracker: Optional[DialogueStateTracker]) -> tuple:
    """(metadata of the last user message, language set by a SlotSet after it) of a tracker."""
    if tracker is None:
        return None, None
    switched = None
    for event in reversed(tracker.events):  # raw events: see last_user_message
        if isinstance(event, UserUttered):
            return dict(event.metadata or {}), switched
        if switched is None and isinstance(event, SlotSet) and event.key == "lang":
            switched = event.value
    return None, switched


def last_user_message(tracker: Optional[DialogueStateTracker]) -> Optional[UserUttered]:
    """The user turn just handled. Not `tracker.latest_message`: a tracker read back from the
    store replays only applied events, which fold a form's turns into the one that started it."""
    if tracker is None:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event
    return None


def settle_heap() -> None:
    """Once the model is loaded (Rasa loads it before the server starts): move everything alive
    out of the garbage collector's sight (gc.freeze). Rasa's heap (TensorFlow, the model) holds
    millions of objects that live as long as the process; without this, every full collection,
    which the allocations of a turn set off now and then, walks all of them in the middle of
    someone's turn."""
    gc.collect()
    gc.freeze()
    logger.info("city channel: %d objects moved out of the collector's sight",
                gc.get_freeze_count())


async def _previous_turn(store: Any, sender_id: Text) -> tuple:
    """`previous_turn` of the stored tracker: from the few rows that hold it while the city
    tracker store works (city_tracker_store.previous_turn), else from the whole tracker."""
    city = healthy_store(store)
    if city is not None:
        try:
            return city.previous_turn(sender_id)
        except Exception:  # the store's own read (falls back to memory) tells what failed
            logger.debug("city channel: reading the previous turn failed", exc_info=True)
    return previous_turn(await store.retrieve(sender_id))


async def _latest_parse(store: Any, sender_id: Text) -> Optional[Dict[Text, Any]]:
    """The stored interpretation of the user turn just handled: what this turn's save wrote
    (city_tracker_store.latest_parse), else read back from the whole tracker."""
    city = healthy_store(store)
    parse = city.latest_parse(sender_id) if city is not None else None
    if parse is not None:
        return parse
    latest = last_user_message(await store.retrieve(sender_id))
    return latest.parse_data if latest is not None else None


class CityInput(RestInput):
    """REST channel with the session-language rule and the `nlu` answer item."""

    def __init__(self, secret: Text) -> None:
        self.secret = require_secret(secret)

    @classmethod
    def name(cls) -> Text:
        return "city"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CityInput":
        return cls((credentials or {}).get("secret", ""))

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return clean_metadata((request.json or {}).get("metadata"))

    async def _handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> List[Dict[Text, Any]]:
        sender_id = await self._extract_sender(request)
        text = self._extract_message(request)
        meta = self.get_metadata(request) or {}
        store = request.app.ctx.agent.tracker_store
        previous, switched = await _previous_turn(store, sender_id)
        meta["request_lang"] = meta["lang"]
        meta["lang"] = effective_lang(meta["lang"], previous, switched)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(
                text, collector, sender_id, input_channel=self.name(), metadata=meta))
        except CancelledError:
            logger.error("city channel: the turn timed out")
        except Exception:  # like Rasa's REST channel: answer what was collected
            logger.exception("city channel: the turn failed")
        messages = list(collector.messages)
        parse = await _latest_parse(store, sender_id)
        if parse is not None:
            messages.append({"recipient_id": sender_id, "custom": nlu_payload(parse)})
        return messages

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        action_check.install()  # the action server's answers checked by a validator made once
        hook = Blueprint("custom_webhook_CityInput", __name__)

        @hook.listener("after_server_start")
        async def settle(app: Any, loop: Any) -> None:
            settle_heap()

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = caller_status(self.secret, request.headers)
            if refused is not None:
                return response.json({"error": "the city channel takes the gateway's calls "
                                      "only"}, status=refused)
            return response.json(await self._handle(request, on_new_message))

        return hook
