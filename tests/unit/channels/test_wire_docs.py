"""docs/voice-protocol.md and `assistant.gateway.wire` agree: every message class has a table row
with a JSON example, and each example parses into its class and back to the same JSON."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from assistant.gateway import wire

DOC = Path(__file__).resolve().parents[3] / "docs" / "voice-protocol.md"
# | `{json}` | `ClassName` | meaning |
ROW = re.compile(r"^\s*\|\s*`(\{.*\})`\s*\|\s*`(\w+)`\s*\|", re.MULTILINE)
NESTED = {"WordTiming", "VoskWord"}  # values inside messages, named in the text


def doc_rows() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in ROW.finditer(DOC.read_text(encoding="utf-8"))]


def message_classes() -> set[str]:
    return {name for name, obj in vars(wire).items()
            if inspect.isclass(obj) and issubclass(obj, wire.WireMessage)
            and obj is not wire.WireMessage and obj.__module__ == wire.__name__}


def test_every_message_class_has_a_row_in_the_doc() -> None:
    documented = {name for _, name in doc_rows()}
    assert message_classes() - NESTED - documented == set()
    assert documented - message_classes() == set(), "the doc names classes the module lacks"
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in NESTED)


def test_every_registered_type_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for registry in (wire.VOICE_REQUESTS, wire.VOICE_EVENTS, wire.FORK_REQUESTS,
                     wire.FORK_EVENTS):
        for kind in registry:
            assert f'{{"type": "{kind}"' in text, kind
    for key in wire.VOSK_ANSWERS:
        assert f'`{{"{key}": ' in text, key


@pytest.mark.parametrize(("example", "name"), doc_rows())
def test_each_doc_example_parses_into_its_class_and_back(example: str, name: str) -> None:
    cls = getattr(wire, name)
    message = cls.from_json(example)
    assert isinstance(message, cls)
    assert message.to_dict() == json.loads(example), "the example shows other fields"
    assert cls.from_json(message.to_json()) == message


def test_doc_examples_dispatch_on_their_type() -> None:
    """A `type` shared by two protocols (`end`, `error`) is told apart by the registry."""
    routes = {**{c.__name__: wire.VOICE_REQUESTS for c in wire.VOICE_REQUESTS.values()},
              **{c.__name__: wire.VOICE_EVENTS for c in wire.VOICE_EVENTS.values()},
              **{c.__name__: wire.FORK_EVENTS for c in wire.FORK_EVENTS.values()},
              "Dtmf": wire.FORK_REQUESTS}
    for example, name in doc_rows():
        if name in routes:
            assert type(wire.parse(example, routes[name])).__name__ == name
