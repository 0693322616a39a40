"""Intent accuracy per language on the held-out set, through /model/parse (printed)."""

from __future__ import annotations

import pytest
from conftest import Stack
from heldout import HELDOUT

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_intent_accuracy(stack: Stack, lang: str) -> None:
    wrong = []
    for text, intent in HELDOUT[lang]:
        got = stack.parse(text, lang)["intent"]["name"]
        if got != intent:
            wrong.append((text, intent, got))
    accuracy = 1 - len(wrong) / len(HELDOUT[lang])
    print(f"\nintent accuracy [{lang}]: {accuracy:.3f} on {len(HELDOUT[lang])}; misses: {wrong}")
    assert accuracy >= 0.85, wrong
