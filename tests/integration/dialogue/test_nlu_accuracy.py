"""The NLU targets on the held-out Vosk-style set (nlu/tests/nlu_heldout.yml), per language."""

from __future__ import annotations

import json

import pytest
from conftest import Stack

from assistant.cli.bench.nlu import evaluate, load_cases

pytestmark = pytest.mark.rasa
INTENT_ACCURACY = 0.95
ENTITY_F1 = 0.90


def test_heldout_meets_targets_in_each_language(stack: Stack) -> None:
    report = evaluate(stack.rasa_url, load_cases(), stack.rasa_token)
    print("\n" + json.dumps({lang: {k: v for k, v in r.items() if k != "misses"}
                             for lang, r in report.items()}, ensure_ascii=False, indent=1))
    assert set(report) == {"ru", "en"}
    for lang, result in report.items():
        assert result["cases"] >= 50, lang
        assert result["intent_accuracy"] >= INTENT_ACCURACY, (lang, result["misses"])
        assert result["entity_f1"] >= ENTITY_F1, (lang, result["misses"])
