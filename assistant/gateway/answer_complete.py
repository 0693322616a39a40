"""Is the caller's answer already complete? The rules behind early endpointing.

When the dialogue expects a restricted answer (its `expect` event: a slot kind and phrases),
the recognizer's partial text can hold the whole answer before the caller's trailing silence is
over: "да", the sixteenth digit of a policy, "четырнадцатого марта тысяча девятьсот восемьдесят
пятого", "второй". Then the utterance may end after a short silence
(`endpointing.<channel>.early_silence_ms`) instead of the channel's full one.

The text is Vosk's: lower case, no punctuation, numbers as words ("семь семь ноль",
"nineteen eighty five"), turned into digits by `spoken.numbers.words_to_digits`. A number that
may still grow ("девяносто", "twenty", "тысяча", "hundred") is never complete. Russian and
English, and Korean yes/no and digits for the Korean test model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spoken.numbers import digits_only, words_to_digits

# slot kinds of the actions' `expect` event whose answers are a known number of digits
DIGIT_LENGTHS = {"policy_number": 16, "card_number": 10}
YES_NO_KINDS = frozenset({"yes_no", "confirm"})
PHRASE_KINDS = frozenset({"slot_choice", "date"})

YES_NO = {
    "ru": frozenset({"да", "нет", "ага", "угу", "конечно", "верно", "правильно", "да да",
                     "нет нет", "да конечно", "да верно", "да правильно", "нет не надо",
                     "не надо", "нет спасибо", "давайте", "хорошо", "оператор"}),
    "en": frozenset({"yes", "no", "yeah", "yep", "yup", "nope", "sure", "correct", "right",
                     "yes please", "no thanks", "no thank you", "that's right", "okay", "ok",
                     "operator"}),
    "ko": frozenset({"네", "예", "아니요", "아니오", "응", "아니", "네 네"}),
}

# number words after which the number may go on ("девяносто" -> "девяносто восемь")
_OPEN_NUMBER_WORDS = frozenset({
    "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят",
    "девяносто", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
    "восемьсот", "девятьсот", "тысяча", "тысячи", "тысяч",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "thousand", "nineteen",
})

_KO_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
              "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}

_MONTHS = re.compile(
    r"\b(январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|сентябр\w*|"
    r"октябр\w*|ноябр\w*|декабр\w*|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b")
_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Expectation:
    """What the dialogue asked for: the `expect` event's slot kind and phrases."""

    kind: str
    phrases: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        """Whether any answer to it can be complete before the full silence."""
        return (self.kind in YES_NO_KINDS or self.kind in DIGIT_LENGTHS
                or self.kind == "birth_date" or (self.kind in PHRASE_KINDS and bool(self.phrases)))

    @classmethod
    def from_event(cls, data: dict[str, object]) -> Expectation | None:
        slot = data.get("slot")
        if not isinstance(slot, str) or not slot:
            return None
        phrases = data.get("phrases")
        said = tuple(str(p) for p in phrases) if isinstance(phrases, list) else ()
        return cls(slot, said)


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower().replace("ё", "е")).split())


def _numbers(text: str, lang: str) -> str:
    if lang == "ko":
        return " ".join(_KO_DIGITS.get(word, word) for word in text.split())
    return words_to_digits(text, lang)


def _open_number(text: str) -> bool:
    words = text.split()
    return bool(words) and words[-1] in _OPEN_NUMBER_WORDS


def _yes_no(text: str, lang: str, phrases: Sequence[str]) -> bool:
    return text in YES_NO.get(lang, frozenset()) or text in {_clean(p) for p in phrases}


def _digits(text: str, lang: str, length: int) -> bool:
    said = _numbers(text, lang).split()
    if not said or _open_number(text) or any(not _NUMBER.match(t) for t in said):
        return False  # words other than numbers: not a bare number, let the silence decide
    return len(digits_only(" ".join(said))) == length


def _birth_date(text: str, lang: str) -> bool:
    if _open_number(text):
        return False
    tokens = _numbers(text, lang).split()
    numbers = [t for t in tokens if _NUMBER.match(t)]
    if len(numbers) == 1 and len(numbers[0]) == 8 and tokens[-1] == numbers[0]:
        return numbers[0][4:6] in ("19", "20")  # "14031985" said as one digit string
    if not tokens or not _NUMBER.match(tokens[-1]):
        return False  # a birth date said in full ends with its year
    year = tokens[-1]
    rest = tokens[:-1]
    if len(year) == 2 and rest and rest[-1] in ("19", "20"):  # "nineteen eighty five"
        year, rest = rest[-1] + year, rest[:-1]
    if len(year) != 4 or year[:2] not in ("19", "20"):
        return False
    day_month = [t for t in rest if _NUMBER.match(t)]
    has_month = bool(_MONTHS.search(" ".join(rest)))
    return (has_month and len(day_month) == 1) or (not has_month and len(day_month) == 2)


def _choice(text: str, lang: str, phrases: Sequence[str]) -> bool:
    """One of the offered phrases, said in full: the times are the whole choice, so "десять
    тридцать" is complete when 10:30 is offered and no offered phrase goes on from it."""
    offered = {_numbers(_clean(p.replace(":", " ")), lang) for p in phrases}
    said = _numbers(text, lang)
    if said not in offered:
        return False
    return not any(p.startswith(said + " ") for p in offered)


def is_complete(expect: Expectation | None, text: str, lang: str) -> bool:
    """Whether `text` (a Vosk partial) already answers `expect` in full."""
    if expect is None or not expect.restricted:
        return False
    said = _clean(text)
    if not said:
        return False
    if expect.kind in YES_NO_KINDS:
        return _yes_no(said, lang, expect.phrases)
    if expect.kind in DIGIT_LENGTHS:
        return _digits(said, lang, DIGIT_LENGTHS[expect.kind])
    if expect.kind == "birth_date":
        return _birth_date(said, lang)
    return _choice(said, lang, expect.phrases)
