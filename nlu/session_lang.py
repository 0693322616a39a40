"""Pure rules of the city channel (no Rasa import, so the main environment can test them)."""

from typing import Any, Dict, List, Mapping, Optional, Text

LANGS = ("ru", "en")


def effective_lang(
    requested: Text, previous: Optional[Mapping[Text, Any]], switched: Optional[Any]
) -> Text:
    """The language of this turn.

    `requested`: the request's language; `previous`: the metadata of the session's previous user
    message (None on the first turn); `switched`: the `lang` slot value set after that message
    (by a spoken switch or by the actions), if any.
    A changed request language (a kiosk's language button) overrides; otherwise the session
    language stays, so a spoken "speak english" sticks while the client keeps sending "ru".
    """
    if previous is None or previous.get("request_lang", previous.get("lang")) != requested:
        return requested
    for candidate in (switched, previous.get("lang")):
        if candidate in LANGS:
            return str(candidate)
    return requested


def nlu_payload(parse_data: Mapping[Text, Any]) -> Dict[Text, Any]:
    """The gateway's `nlu` item: intent, confidence and entities of the user's turn."""
    intent = parse_data.get("intent") or {}
    entities: List[Dict[Text, Text]] = []
    for item in parse_data.get("entities") or []:
        if isinstance(item, dict) and item.get("entity"):
            entities.append({"entity": str(item["entity"]), "value": str(item.get("value"))})
    return {
        "event": "nlu",
        "intent": str(intent.get("name") or ""),
        "confidence": float(intent.get("confidence") or 0.0),
        "entities": entities,
    }
