"""The message catalogue: every line in both languages, and numbers with the right word form."""

from __future__ import annotations

import re

import pytest

from actions.messages import MESSAGES, say


def test_every_line_is_in_russian_and_english_with_the_same_fields() -> None:
    for key, lines in MESSAGES.items():
        assert set(lines) == {"ru", "en"}, key
        fields = {lang: sorted(set(re.findall(r"\{(\w+)", text))) for lang, text in lines.items()}
        assert fields["ru"] == fields["en"], key


@pytest.mark.parametrize(
    ("level", "word"),
    [(1, "балл"), (2, "балла"), (4, "балла"), (5, "баллов"), (11, "баллов"), (21, "балл"),
     (22, "балла"), (0, "баллов"), (2.5, "балла")],
)
def test_russian_plural_forms(level: float, word: str) -> None:
    assert say("traffic_road", "ru", road="Тверская", level=level) == (
        f"Тверская: пробки {level} {word} из 10.")


@pytest.mark.parametrize(("balance", "word"), [(1, "rouble"), (12, "roubles"), (0, "roubles")])
def test_english_plural_forms(balance: int, word: str) -> None:
    assert say("troika_balance", "en", card="0123456789", balance=balance).endswith(
        f"has {balance} {word}.")


def test_unknown_language_falls_back_to_russian() -> None:
    assert say("troika_balance", "ko", card="1", balance=2) == "На карте 1 2 рубля."
