"""The city channel's pure rules (nlu/session_lang.py): sticky session language, `nlu` item."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SOURCE = Path(__file__).resolve().parents[3] / "nlu" / "session_lang.py"


@pytest.fixture(scope="module")
def rules() -> ModuleType:
    spec = importlib.util.spec_from_file_location("session_lang", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def meta(lang: str, request_lang: str) -> dict[str, Any]:
    return {"lang": lang, "request_lang": request_lang}


def test_first_turn_takes_the_request_language(rules: ModuleType) -> None:
    assert rules.effective_lang("en", None, None) == "en"


def test_spoken_switch_sticks_while_the_client_keeps_its_language(rules: ModuleType) -> None:
    assert rules.effective_lang("ru", meta("ru", "ru"), "en") == "en"
    assert rules.effective_lang("ru", meta("en", "ru"), None) == "en"


def test_a_changed_request_language_overrides(rules: ModuleType) -> None:
    assert rules.effective_lang("en", meta("ru", "ru"), "ru") == "en"
    assert rules.effective_lang("ru", meta("en", "en"), "en") == "ru"


def test_old_metadata_without_request_lang(rules: ModuleType) -> None:
    assert rules.effective_lang("ru", {"lang": "ru"}, "en") == "en"
    assert rules.effective_lang("en", {"lang": "ru"}, None) == "en"


def test_nlu_payload(rules: ModuleType) -> None:
    parse = {"intent": {"name": "book_appointment", "confidence": 0.97},
             "entities": [{"entity": "specialty", "value": "dentist", "start": 3},
                          {"entity": "route", "value": 144}, {"value": "no name"}]}
    assert rules.nlu_payload(parse) == {
        "event": "nlu", "intent": "book_appointment", "confidence": 0.97,
        "entities": [{"entity": "specialty", "value": "dentist"},
                     {"entity": "route", "value": "144"}]}
    assert rules.nlu_payload({})["intent"] == ""
