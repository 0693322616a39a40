"""Spoken numbers -> digits, on top of number-parser.

number-parser turns cardinals into digits in Russian and English, but it does not know Russian
ordinals ("второй", "двадцать пятого") and it splits a spoken digit string into groups
("7 7 1 2 34"). This thin layer rewrites Russian ordinals to cardinals first, protects English
"one" used as a pronoun ("the first one"), and joins digit groups said one after another.
"""

from __future__ import annotations

import re

from number_parser import parse as _np_parse

# Russian ordinal stems -> the cardinal word number-parser understands.
_RU_ORDINAL_STEMS: dict[str, str] = {
    "перв": "один", "втор": "два", "трет": "три", "четверт": "четыре", "четвёрт": "четыре",
    "пят": "пять", "шест": "шесть", "седьм": "семь", "восьм": "восемь", "девят": "девять",
    "десят": "десять", "одиннадцат": "одиннадцать", "двенадцат": "двенадцать",
    "тринадцат": "тринадцать", "четырнадцат": "четырнадцать", "пятнадцат": "пятнадцать",
    "шестнадцат": "шестнадцать", "семнадцат": "семнадцать", "восемнадцат": "восемнадцать",
    "девятнадцат": "девятнадцать", "двадцат": "двадцать", "тридцат": "тридцать",
    "сороков": "сорок", "пятидесят": "пятьдесят", "шестидесят": "шестьдесят",
    "семидесят": "семьдесят", "восьмидесят": "восемьдесят", "девяност": "девяносто",
    "сот": "сто", "двухсот": "двести", "трехсот": "триста", "трёхсот": "триста",
    "тысячн": "тысяча",
}
_RU_ENDINGS = ("ый", "ой", "ий", "ая", "ое", "ую", "ого", "ому", "ом", "ые", "ых", "ым", "ыми")
_RU_SOFT_ENDINGS = ("ий", "ья", "ье", "ью", "ьего", "ьему", "ьем", "ьей", "ьи", "ьих")
_RU_ORDINALS: dict[str, str] = {}
for _stem, _card in _RU_ORDINAL_STEMS.items():
    for _end in _RU_SOFT_ENDINGS if _stem == "трет" else _RU_ENDINGS:
        _RU_ORDINALS[_stem + _end] = _card
# Russian genitive cardinals that number-parser misses in time phrases ("без пятнадцати два").
_RU_CARDINAL_FORMS: dict[str, str] = {
    "одного": "один", "двух": "два", "трех": "три", "трёх": "три", "четырех": "четыре",
    "четырёх": "четыре", "пяти": "пять", "шести": "шесть", "семи": "семь", "восьми": "восемь",
    "девяти": "девять", "десяти": "десять", "пятнадцати": "пятнадцать", "двадцати": "двадцать",
    "тридцати": "тридцать", "сорока": "сорок", "одну": "один", "одна": "один",
}
_EN_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    "thirtieth"
)
_EN_PRONOUN_ONE = re.compile(
    rf"\b({_EN_ORDINALS}|this|that|the|which|another|other|any|no|last|next|earlier|later)"
    r" one\b"
)
_PROTECT = "xxonexx"
_SEPARATE = "xxsepxx"
# A unit said right before the singular "тысяча" ends a number: "три тысячи" is 3000,
# "три тысяча" is a digit said before a year.
_RU_UNITS = frozenset({"ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь",
                       "девять"})
# "the first one" -> "the 1": the pronoun after an ordinal goes with it.
_EN_ORDINAL_ONE = re.compile(rf"\b({_EN_ORDINALS}) one\b")
_NUM = re.compile(r"^\d+$")


def _ru_prepare(text: str) -> str:
    words: list[str] = []
    for word in text.split():
        w = word.replace("ё", "е") if word not in _RU_ORDINALS else word
        fallback = _RU_ORDINALS.get(w, _RU_CARDINAL_FORMS.get(word, word))
        card = _RU_ORDINALS.get(word, fallback)
        if card == "тысяча" and words and words[-1] in _RU_UNITS:
            words.append(_SEPARATE)  # "ноль три тысяча девятьсот": 03 1985, not 3985
        words.append(card)
    return " ".join(words)


def join_digit_groups(text: str) -> str:
    """Join digit groups said one after another: '7 7 1 2 34' -> '771234'.

    Runs of three or more numbers are joined; a run of two only when both are single digits,
    so that times ("10 30") and dates ("25 11") keep their parts.
    """
    tokens = text.split()
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 3 or (len(run) == 2 and all(len(t) == 1 for t in run)):
            out.append("".join(run))
        else:
            out.extend(run)
        run.clear()

    for token in tokens:
        if _NUM.match(token):
            run.append(token)
        else:
            flush()
            out.append(token)
    flush()
    return " ".join(out)


def words_to_digits(text: str, lang: str) -> str:
    """Cardinals and ordinals said as words become digits; other words stay as they are."""
    if not text.strip():
        return ""
    if lang == "ru":
        prepared = _ru_prepare(text)
    else:
        prepared = _EN_ORDINAL_ONE.sub(lambda m: m.group(1), text)
        prepared = _EN_PRONOUN_ONE.sub(lambda m: f"{m.group(1)} {_PROTECT}", prepared)
    try:
        parsed = str(_np_parse(prepared, language=lang if lang in ("ru", "en") else "en"))
    except Exception:  # number-parser raises on odd input; keep the words then
        parsed = prepared
    parsed = parsed.replace(f" {_SEPARATE} ", " ").replace(_SEPARATE, " ")
    return " ".join(parsed.replace(_PROTECT, "one").split())


def digits_only(text: str) -> str:
    """All digits of the text, in order ('7712 3456' -> '77123456')."""
    return "".join(ch for ch in text if ch.isdigit())
