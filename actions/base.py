"""Shared helpers of the actions: turn language and channel, replies, masking, errors."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.city_client import CityApi, CityClient, CityError, RateLimited, Unavailable
from actions.messages import say
from actions.pending import Pending

logger = logging.getLogger(__name__)

LANGS = ("ru", "en")
ClientFactory = Callable[[], CityApi]


def switched_this_turn(tracker: Tracker) -> str | None:
    """The `lang` slot value set since the latest user message (a spoken switch), if any."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return None
        if event.get("event") == "slot" and event.get("name") == "lang":
            value = event.get("value")
            return str(value) if value in LANGS else None
    return None


def turn_lang(tracker: Tracker) -> str:
    """The language of this turn.

    A spoken switch earlier in this turn wins; then the user message's metadata `lang` (the
    city channel puts the session language there), then the session slot, else ru.
    """
    meta = (tracker.latest_message or {}).get("metadata") or {}
    lang = switched_this_turn(tracker) or meta.get("lang") or tracker.get_slot("lang") or "ru"
    return lang if lang in LANGS else "ru"


def turn_channel(tracker: Tracker) -> str:
    meta = (tracker.latest_message or {}).get("metadata") or {}
    return str(meta.get("channel") or "web")


def user_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def intent_name(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


_LONG_NUMBER = re.compile(r"(?<![\w*])\d(?:[ \-]?\d){7,}(?![\w*])")


def mask_digits(value: str, keep: int = 4) -> str:
    """'7712345678901234' -> '************1234' (for logs and screens)."""
    digits = re.sub(r"\D", "", value)
    return "*" * max(len(digits) - keep, 0) + digits[-keep:] if digits else ""


def mask_text(text: str) -> str:
    """Mask long digit runs (policy, card numbers) and dates in free text for logs."""
    text = re.sub(r"\d{4,}", lambda m: mask_digits(m.group(0)), text)
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "****-**-**", text)


def remembered_text(text: str) -> str:
    """A reply as `last_reply` keeps it (for `repeat`): a policy read back in full becomes its
    last 4 digits ('Полис 7712 3456 7890 1234.' -> 'Полис …1234.')."""
    return _LONG_NUMBER.sub(lambda m: "…" + re.sub(r"\D", "", m.group(0))[-4:], text)


def digit_groups(digits: str, size: int = 4) -> str:
    """'7712345678901234' -> '7712 3456 7890 1234' (read back in groups)."""
    return " ".join(digits[i : i + size] for i in range(0, len(digits), size))


def spoken_digits(digits: str) -> str:
    """Digits read back in pairs, an odd tail as a triple: '4455123' -> '44 55 123'."""
    if len(digits) <= 4:
        return digits
    pairs = [digits[i : i + 2] for i in range(0, len(digits) - 3 if len(digits) % 2 else
                                               len(digits), 2)]
    tail = digits[len("".join(pairs)):]
    return " ".join([*pairs, tail] if tail else pairs)


class Reply:
    """Collects a turn's texts and custom events, and remembers them for `repeat`."""

    def __init__(self, dispatcher: CollectingDispatcher, lang: str) -> None:
        self.dispatcher = dispatcher
        self.lang = lang
        self.texts: list[str] = []
        self.customs: list[dict[str, Any]] = []

    def say(self, key: str, **params: Any) -> str:
        text = say(key, self.lang, **params)
        self.text(text)
        return text

    def text(self, text: str) -> None:
        self.texts.append(text)
        self.dispatcher.utter_message(text=text)

    def custom(self, payload: dict[str, Any]) -> None:
        self.customs.append(payload)
        self.dispatcher.utter_message(json_message=payload)

    def expect(self, slot: str, phrases: list[str] | None = None) -> None:
        self.custom({"event": "expect", "slot": slot, "phrases": phrases or []})

    def display(self, text: str) -> None:
        self.custom({"event": "display", "text": text})

    def remember(self) -> list[EventType]:
        """`last_reply` for `repeat`, and the session language in the `lang` slot."""
        if not self.texts:
            return []
        texts = [remembered_text(t) for t in self.texts]  # no policy in full (issue 11)
        return [SlotSet("last_reply", {"texts": texts, "lang": self.lang}),
                SlotSet("lang", self.lang)]


def service_error(reply: Reply, error: CityError, service: str, retry: Pending) -> list[
    EventType
]:
    """Apology plus a choice (retry or operator); the pending retry (kind "retry") is kept in
    the tracker."""
    logger.warning("city service %s failed: %s", service, error.code)
    if isinstance(error, RateLimited):
        reply.say("rate_limited")
    else:
        reply.say("service_down", service=say(f"service_{service}", reply.lang))
    reply.expect("yes_no", yes_no_phrases(reply.lang) + operator_phrases(reply.lang))
    return [SlotSet("pending", retry.to_slot())]


def yes_no_phrases(lang: str) -> list[str]:
    return ["да", "нет", "попробуй ещё раз"] if lang == "ru" else ["yes", "no", "try again"]


def operator_phrases(lang: str) -> list[str]:
    return ["оператор"] if lang == "ru" else ["operator"]


def is_unavailable(error: CityError) -> bool:
    return isinstance(error, Unavailable | RateLimited)


class NamedAction(Action, ABC):
    """An action named by its class attribute `action_name`; abstract until a subclass sets it
    (rasa-sdk registers only concrete actions)."""

    @property
    @abstractmethod
    def action_name(self) -> str:
        """Set by each subclass."""

    def name(self) -> str:
        return self.action_name


class CityAction(Action, ABC):
    """An action with a city client; tests pass a factory that returns a fake client."""

    def __init__(self, client_factory: ClientFactory | None = None) -> None:
        self._client_factory: ClientFactory = client_factory or CityClient

    def client(self) -> CityApi:
        return self._client_factory()

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""
