"""Numbers for one slot, where a rule that is wrong elsewhere is right: a route number said in
pairs ("one forty four" -> 144), a letter before it ("эм один" -> м1).

Not applied by normalize(): "at ten thirty" must stay "10 30" there. The dialogue calls these
only when it asks for (or the intent names) a route or a house number.
"""

from __future__ import annotations

import re

from spoken.normalize import normalize

# Moscow route letters as said: "м" (магистральный), "т" (trolleybus), "н" (night), "с", "к",
# "б"; English callers say the Latin names.
_RU_ROUTE_LETTERS: dict[str, str] = {
    "м": "м", "эм": "м", "т": "т", "тэ": "т", "те": "т", "н": "н", "эн": "н", "с": "с",
    "эс": "с", "к": "к", "ка": "к", "б": "б", "бэ": "б", "бе": "б",
}
_EN_ROUTE_LETTERS: dict[str, str] = {
    "m": "m", "em": "m", "t": "t", "tee": "t", "n": "n", "en": "n", "s": "s", "es": "s",
    "k": "k", "kay": "k",
}
_ROUTE_WORDS = re.compile(
    r"\b(?:автобус\w*|трамва\w*|троллейбус\w*|маршрут\w*|электробус\w*|номер\w*|bus|buses|tram|"
    r"trolleybus|route|number)\b"
)
_NUM = re.compile(r"^\d+$")


def _runs(tokens: list[str], letters: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Each run of numbers, with the route letter said right before it."""
    runs: list[tuple[str, list[str]]] = []
    current: list[str] = []
    prefix = ""
    for i, token in enumerate(tokens):
        if _NUM.match(token):
            if not current:
                before = tokens[i - 1] if i > 0 else ""
                prefix = letters.get(before, "")
            current.append(token)
        elif current:
            runs.append((prefix, current))
            current = []
    if current:
        runs.append((prefix, current))
    return runs


def said_in_pairs(text: str, lang: str, max_digits: int = 4) -> str | None:
    """The first number said in the text, its groups joined: "one forty four" -> "144",
    "seven seven oh one" -> "7701", "сто сорок четыре" -> "144". None if there is none or it
    is longer than `max_digits`."""
    tokens = normalize(text, lang).split()
    for _, run in _runs(tokens, {}):
        joined = "".join(run)
        return joined if len(joined) <= max_digits else None
    return None


def route_number(text: str, lang: str) -> str | None:
    """A bus/tram route as said: "автобус сто сорок четыре" -> "144", "route one forty four" ->
    "144", "эм один" -> "м1", "тэ двадцать пять" -> "т25". The number after a route word
    ("автобус", "route", "номер") wins over an earlier one; at most 3 digits."""
    normalized = normalize(text, lang)
    if lang == "en":  # "the one forty four": normalize keeps "one" as a pronoun there
        normalized = re.sub(r"\bone (?=\d)", "1 ", normalized)
    tokens = normalized.split()
    letters = _RU_ROUTE_LETTERS if lang != "en" else _EN_ROUTE_LETTERS
    runs = _runs(tokens, letters)
    if not runs:
        return None
    after_word = _ROUTE_WORDS.search(normalized)
    chosen = runs[0]
    if after_word:
        tail = _runs(normalized[after_word.end():].split(), letters)
        chosen = tail[0] if tail else chosen
    prefix, run = chosen
    number = "".join(run).lstrip("0") or "0"
    if len(number) > 3:
        return None
    return prefix + number
