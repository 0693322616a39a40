"""Small text helpers: name matching tolerant of case and Russian inflection, and log masking."""

from __future__ import annotations

import re

_WORD = re.compile(r"[0-9a-zа-я]+")
# Russian inflection endings, longest first; one is cut per word (the stem keeps >= 3 letters).
_ENDINGS = (
    "ыми", "ими", "ого", "его", "ому", "ему", "ами", "ями", "ой", "ей", "ий", "ый", "ая", "яя",
    "ое", "ее", "ую", "юю", "ые", "ие", "ых", "их", "ым", "им", "ом", "ем", "ах", "ях", "ов",
    "ев", "а", "я", "о", "е", "у", "ю", "ы", "и", "ь", "й",
)  # fmt: skip
_STOPWORDS = {
    "остановк", "станци", "на", "у", "в", "возл", "около", "ул", "stop", "station", "the", "at",
}  # fmt: skip


def words(text: str) -> list[str]:
    """Lower-cased words, ``ё`` folded to ``е``."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def stem(word: str) -> str:
    """Cut one Russian inflection ending, keeping at least three letters."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def query_stems(query: str) -> list[str]:
    """The stems of a search query, without filler words like "остановка"."""
    return [s for s in (stem(w) for w in words(query)) if s not in _STOPWORDS]


def match_score(stems: list[str], *names: str) -> int:
    """How many query stems start some word of ``names`` (0 when none do)."""
    name_words = [w for name in names for w in words(name)]
    score = 0
    for s in stems:
        if any(w.startswith(s) or stem(w) == s for w in name_words):
            score += 1
    return score


def mask(value: str, keep: int = 4) -> str:
    """``7712345678901234`` -> ``************1234``: for logs, never log raw identifiers."""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
