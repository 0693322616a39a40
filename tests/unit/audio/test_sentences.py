"""Replies are synthesised sentence by sentence (the first plays while the rest are made)."""

from __future__ import annotations

import pytest

from audio.tts import split_sentences


@pytest.mark.parametrize(("text", "parts"), [
    ("Записала. Приём завтра в 10:30 у терапевта.",
     ["Записала.", "Приём завтра в 10:30 у терапевта."]),
    ("Номер получен! Верно? Скажите да или нет.",
     ["Номер получен!", "Верно?", "Скажите да или нет."]),
    ("Booked. Your visit is tomorrow at 10:30. Anything else?",
     ["Booked.", "Your visit is tomorrow at 10:30.", "Anything else?"]),
    ("Поликлиника на ул. тверская, дом 5.", ["Поликлиника на ул. тверская, дом 5."]),
    ("Полис …1234. 2 свободных окна.", ["Полис …1234.", "2 свободных окна."]),
    ("One sentence only", ["One sentence only"]),
    ("", []),
])
def test_split_sentences(text: str, parts: list[str]) -> None:
    assert split_sentences(text) == parts
