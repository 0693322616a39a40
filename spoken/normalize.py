"""One normalization for every channel: Vosk-style text -> the text Rasa sees."""

from __future__ import annotations

import re

from spoken.abbreviations import join_spelled_abbreviations
from spoken.numbers import join_digit_groups, words_to_digits

_PUNCT = re.compile(r"[^\w\s-]", re.UNICODE)
_EN_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_EN_YEAR = re.compile(rf"\b((?:{_EN_MONTHS})\b[^\n]*?\b)(19|20) ([1-9]\d)\b")


def normalize(text: str, lang: str) -> str:
    """Lower-case, drop punctuation, turn spoken numbers into digits.

    "семь семь один два тридцать четыре" -> "771234"; "двадцать пятого" -> "25";
    "seven seven oh one" -> "7701"; "тэ тэ ка" -> "ттк" (spelled abbreviations).
    """
    lang = lang if lang in ("ru", "en") else "ru"
    cleaned = _PUNCT.sub(" ", text.lower()).replace("-", " ")
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return ""
    cleaned = join_spelled_abbreviations(cleaned, lang)
    digits = words_to_digits(cleaned, lang)
    if lang == "en":
        digits = _EN_YEAR.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", digits)
    return join_digit_groups(digits)
