"""Abbreviations spelled out letter by letter ("тэ тэ ка" -> "ттк", "эм цэ ка" -> "мцк").

Vosk writes the names of the letters. Only the abbreviations listed here are joined, and only
when every letter of one is said in a row, so ordinary words ("к", "в", "а") stay as they are.
"""

from __future__ import annotations

import re

# How each letter is said (Vosk spellings); the bare letter is kept for "т т к".
_RU_LETTERS: dict[str, tuple[str, ...]] = {
    "а": ("а",), "б": ("бэ", "бе", "б"), "в": ("вэ", "ве", "в"), "г": ("гэ", "ге", "г"),
    "д": ("дэ", "де", "д"), "е": ("е",), "ж": ("жэ", "же", "ж"), "з": ("зэ", "зе", "з"),
    "и": ("и",), "к": ("ка", "к"), "л": ("эль", "эл", "л"), "м": ("эм", "м"),
    "н": ("эн", "н"), "о": ("о",), "п": ("пэ", "пе", "п"), "р": ("эр", "р"),
    "с": ("эс", "с"), "т": ("тэ", "те", "т"), "у": ("у",), "ф": ("эф", "ф"), "ю": ("ю",),
    "х": ("ха", "х"), "ц": ("цэ", "це", "ц"), "ч": ("че", "чэ", "ч"), "ш": ("ша", "ш"),
}
_EN_LETTERS: dict[str, tuple[str, ...]] = {
    "a": ("a", "ay"), "c": ("c", "see", "cee"), "d": ("d", "dee"), "k": ("k", "kay"),
    "m": ("m", "em"), "t": ("t", "tee"), "f": ("f", "ef"), "s": ("s", "es"),
}
# Moscow abbreviations a caller spells out: roads, transport, city offices and documents.
RU_ABBREVIATIONS = (
    "ттк", "мкад", "мцк", "мцд", "бкл", "мфц", "гибдд", "дпс", "омс", "жкх", "гбу", "ржд",
    "мвд", "цао", "сао", "вао", "юао", "зао", "свао", "сзао", "ювао", "юзао",
)
EN_ABBREVIATIONS = ("ttk", "mkad", "mcd", "mcc", "mfc")


def _pattern(abbreviation: str, letters: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    parts = ["(?:" + "|".join(sorted(letters[ch], key=len, reverse=True)) + ")"
             for ch in abbreviation]
    return re.compile(r"(?<!\w)" + r"\s".join(parts) + r"(?!\w)")


_TABLE: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "ru": [(_pattern(a, _RU_LETTERS), a) for a in RU_ABBREVIATIONS],
    "en": [(_pattern(a, _EN_LETTERS), a) for a in EN_ABBREVIATIONS],
}


def join_spelled_abbreviations(text: str, lang: str) -> str:
    """"поехать по тэ тэ ка" -> "поехать по ттк"; "the t t k" -> "the ttk"."""
    for pattern, abbreviation in _TABLE.get(lang, []):
        text = pattern.sub(abbreviation, text)
    return text
