"""Text pre-passes before speech: long numbers in digit groups, and "speak slower" requests.

A policy number read as one sixteen-digit quantity is useless to a listener, so runs of five or
more digits are split into groups of four (the last group never a lone digit) and each group is
spoken as a number: "7712345678901234" -> "7712 3456 7890 1234" -> "семь тысяч семьсот
двенадцать, три тысячи ...". Leading zeros are spoken one by one ("0123" -> "ноль, сто двадцать
три"), so no digit is lost.
"""

from __future__ import annotations

import re
from typing import Literal

from num2words import num2words

_LONG_NUMBER = re.compile(r"\d{5,}")
_ZERO = {"ru": "ноль", "en": "zero"}

_SLOWER = re.compile(
    r"\b(говори(те)?\s+(по)?медленн\w*|помедленн\w*|медленнее|speak\s+(more\s+)?slow(ly|er)?|"
    r"slow\s+down|slower(\s+please)?|talk\s+slower)\b",
    re.IGNORECASE,
)
_FASTER = re.compile(
    r"\b(говори(те)?\s+быстрее|побыстрее|быстрее|speak\s+faster|faster(\s+please)?|"
    r"normal\s+speed|обычн\w+\s+скорост\w*)\b",
    re.IGNORECASE,
)


def digit_groups(digits: str, size: int = 4) -> list[str]:
    """Split a digit string into groups of `size`; a lone last digit joins the group before."""
    if len(digits) <= size:
        return [digits]
    groups = [digits[i : i + size] for i in range(0, len(digits), size)]
    if len(groups[-1]) == 1:
        tail = groups[-2] + groups[-1]
        groups[-2:] = [tail[:3], tail[3:]]
    return groups


def group_digits(text: str, size: int = 4) -> str:
    """Insert spaces into long digit runs: "7712345678901234" -> "7712 3456 7890 1234"."""
    return _LONG_NUMBER.sub(lambda m: " ".join(digit_groups(m.group(0), size)), text)


def speak_group(group: str, lang: str) -> str:
    """One digit group in words, zeros in front spoken one by one."""
    zero = _ZERO.get(lang, "zero")
    stripped = group.lstrip("0")
    words = [zero] * (len(group) - len(stripped))
    if stripped:
        spoken = num2words(int(stripped), lang=lang if lang in _ZERO else "en")
        words.append(spoken.replace(",", ""))  # commas belong between groups only
    return " ".join(words)


def speakable_numbers(text: str, lang: str, size: int = 4) -> str:
    """The TTS pre-pass: long digit runs become groups spoken as numbers, with pauses between."""

    def replace(match: re.Match[str]) -> str:
        return ", ".join(speak_group(g, lang) for g in digit_groups(match.group(0), size))

    return _LONG_NUMBER.sub(replace, text)


def rate_request(text: str) -> Literal["slower", "faster"] | None:
    """Does the caller ask us to speak slower ("говорите медленнее") or at normal speed again?"""
    if _SLOWER.search(text):
        return "slower"
    if _FASTER.search(text):
        return "faster"
    return None
