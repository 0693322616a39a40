"""Spoken numbers -> digits, on top of number-parser.

number-parser turns cardinals into digits in Russian and English, but it does not know Russian
ordinals ("второй", "двадцать пятого") and it splits a spoken digit string into groups
("7 7 1 2 34"). This thin layer rewrites Russian ordinals to cardinals first, protects English
"one" used as a pronoun ("the first one"), and joins digit groups said one after another.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import number_parser.parser as _np

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
# A genitive ten ends its number before a nominative one: "без двадцати три" is 20 before 3
# (14:40); "двадцати трёх" (genitive throughout) stays 23.
_RU_GENITIVE_TENS = frozenset({"двадцати", "тридцати", "сорока"})
_RU_CARDINAL_VALUES: dict[str, int] = {
    "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13,
    "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17,
    "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30, "сорок": 40,
    "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
    "сто": 100, "двести": 200, "триста": 300, "тысяча": 1000,
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

# English digit words, and "oh" said for zero inside a digit string ("seven seven oh one").
_EN_DIGIT_WORDS = frozenset({"zero", "oh", "o", "one", "two", "three", "four", "five", "six",
                             "seven", "eight", "nine"})
_EN_NUMBER_WORDS = _EN_DIGIT_WORDS | frozenset({
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "thousand", "double", "triple",
})
_EN_REPEAT = {"double": 2, "triple": 3}


def _ru_prepare(text: str) -> str:
    words: list[str] = []
    said = text.split()
    for i, word in enumerate(said):
        w = word.replace("ё", "е") if word not in _RU_ORDINALS else word
        fallback = _RU_ORDINALS.get(w, _RU_CARDINAL_FORMS.get(word, word))
        card = _RU_ORDINALS.get(word, fallback)
        if card == "тысяча" and words and (words[-1] in _RU_UNITS
                                          or words[-1] in _RU_CARDINAL_VALUES):
            words.append(_SEPARATE)  # "ноль три тысяча девятьсот": 03 1985, not 3985
        if i and said[i - 1] in _RU_GENITIVE_TENS and word in _RU_CARDINAL_VALUES:
            words.append(_SEPARATE)  # "без двадцати три": 20 and 3, not 23
        words.append(card)
    return " ".join(words)


def _is_en_number(token: str) -> bool:
    return token in _EN_NUMBER_WORDS or bool(_NUM.match(token))


def _en_digit_words(text: str) -> str:
    """"oh" between numbers is zero ("seven seven oh one", "ten oh five"); "double seven" and
    "triple five" repeat the digit. "oh" elsewhere ("oh i see") stays a word."""
    tokens = text.split()
    out: list[str] = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        after2 = tokens[i + 2] if i + 2 < len(tokens) else ""
        if token in ("oh", "o"):
            between = _is_en_number(before) and _is_en_number(after)
            # "... two one oh" ends a digit string: zero after two digit words
            between = between or (not after and before in _EN_DIGIT_WORDS
                                   and i > 1 and tokens[i - 2] in _EN_DIGIT_WORDS)
            leading = after in _EN_DIGIT_WORDS and after2 in _EN_DIGIT_WORDS and after != "o"
            out.append("zero" if between or leading else token)
        elif token in _EN_REPEAT and (after in _EN_DIGIT_WORDS or _NUM.match(after or "x")):
            digit = "zero" if after in ("oh", "o") else after
            out.extend([digit] * (_EN_REPEAT[token] - 1))
        else:
            out.append(token)
    # the word repeated by "double" comes next and is kept as it is, except "oh" -> zero
    return " ".join(out)


def ru_ordinal_value(word: str) -> int | None:
    """The number of a Russian ordinal or genitive cardinal word ("одиннадцатого" -> 11,
    "второго" -> 2, "трёх" -> 3), or None."""
    word = word.lower()
    card = _RU_ORDINALS.get(word) or _RU_ORDINALS.get(word.replace("ё", "е"))
    card = card or _RU_CARDINAL_FORMS.get(word)
    if card is None:
        return None
    return _RU_CARDINAL_VALUES.get(card)


def join_digit_groups(text: str) -> str:
    """Join digit groups said one after another: '7 7 1 2 34' -> '771234'.

    Runs of three or more numbers are joined; a run of two only when both are single digits,
    so that times ("10 30") and dates ("25 11") keep their parts.
    """
    tokens = text.split()
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if _day_month_year(run):
            out.extend(run)  # "2 11 1992": a date said as numbers, not a digit string
        elif len(run) >= 3 or (len(run) == 2 and all(len(t) == 1 for t in run)):
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


def _day_month_year(run: list[str]) -> bool:
    if len(run) != 3 or len(run[0]) > 2 or len(run[1]) > 2 or len(run[2]) != 4:
        return False
    return 1 <= int(run[0]) <= 31 and 1 <= int(run[1]) <= 12 and run[2][:2] in ("19", "20")


@functools.cache
def _number_parser() -> Callable[..., object]:
    """number_parser's `parse`, with its per-language tables built once per process.

    The library builds `LanguageData` (every number word of the language) on each call: 3.6 ms
    of a 4 ms normalisation, paid on every turn by the gateway and the actions. The tables are
    never changed after they are built, so one per language serves every call.
    """
    if not hasattr(_np.LanguageData, "cache_info"):
        _np.LanguageData = functools.cache(_np.LanguageData)
    return _np.parse  # type: ignore[no-any-return]


def words_to_digits(text: str, lang: str) -> str:
    """Cardinals and ordinals said as words become digits; other words stay as they are."""
    if not text.strip():
        return ""
    if lang == "ru":
        prepared = _ru_prepare(text)
    else:
        prepared = _en_digit_words(text)
        prepared = _EN_ORDINAL_ONE.sub(lambda m: m.group(1), prepared)
        prepared = _EN_PRONOUN_ONE.sub(lambda m: f"{m.group(1)} {_PROTECT}", prepared)
    try:
        parsed = str(_number_parser()(prepared, language=lang if lang in ("ru", "en") else "en"))
    except Exception:  # number-parser raises on odd input; keep the words then
        parsed = prepared
    parsed = parsed.replace(f" {_SEPARATE} ", " ").replace(_SEPARATE, " ")
    return " ".join(parsed.replace(_PROTECT, "one").split())


def digits_only(text: str) -> str:
    """All digits of the text, in order ('7712 3456' -> '77123456')."""
    return "".join(ch for ch in text if ch.isdigit())
