"""Rasa's REST answer -> BotReply: texts, custom events, and the `nlu` interpretation."""

from __future__ import annotations

from assistant.gateway.dialogue import parse_rasa_reply


def test_texts_and_events_in_order() -> None:
    reply = parse_rasa_reply("s1", [
        {"recipient_id": "s1", "text": "Здравствуйте."},
        {"recipient_id": "s1", "custom": {"event": "display", "text": "•••• 1234"}},
        "junk", {"custom": {"no-event": 1}},
    ])
    assert [m.text for m in reply.messages] == ["Здравствуйте."]
    assert [(e.type, e.data) for e in reply.events] == [("display", {"text": "•••• 1234"})]


def test_specialty_entities_are_canonical_codes_even_for_unseen_forms() -> None:
    entities = [{"entity": "specialty", "value": "глазнику"},
                {"entity": "specialty", "value": "ENT doctor"},
                {"entity": "specialty", "value": "dentist"},
                {"entity": "specialty", "value": "шаману"},  # unknown: left as said
                {"entity": "route", "value": "144"}]
    nlu = {"event": "nlu", "intent": "book_appointment", "confidence": 0.97,
           "entities": entities}
    [event] = parse_rasa_reply("s1", [{"custom": nlu}]).events
    assert [e["value"] for e in event.data["entities"]] == [
        "ophthalmologist", "otolaryngologist", "dentist", "шаману", "144"]
    assert event.data["intent"] == "book_appointment"


def test_not_a_list_is_an_empty_reply() -> None:
    reply = parse_rasa_reply("s1", {"error": "oops"})
    assert reply.messages == () and reply.events == ()
