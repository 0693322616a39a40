"""spoken: "oh" for zero, "double seven", spelled abbreviations, route numbers said in pairs."""

from __future__ import annotations

import pytest

from spoken import normalize, route_number, said_in_pairs
from spoken.abbreviations import join_spelled_abbreviations
from spoken.numbers import ru_ordinal_value


@pytest.mark.parametrize(
    ("said", "lang", "expected"),
    [("seven seven oh one", "en", "7701"), ("double seven oh one", "en", "7701"),
     ("ten oh five", "en", "1005"), ("one oh one", "en", "101"),
     ("oh one two three", "en", "0123"), ("triple five two", "en", "5552"),
     ("double oh seven", "en", "007"), ("oh i see", "en", "oh i see"),
     ("no oh it is fine", "en", "no oh it is fine"), ("семь семь ноль один", "ru", "7701"),
     ("ноль пять", "ru", "05"), ("тэ тэ ка", "ru", "ттк"), ("пробки на тэ тэ ка", "ru",
                                                        "пробки на ттк"),
     ("те те ка", "ru", "ттк"), ("на эм ка а дэ", "ru", "на мкад"), ("в эм эф цэ", "ru", "в мфц"),
     ("эм цэ ка", "ru", "мцк"), ("гэ и бэ дэ дэ", "ru", "гибдд"), ("тетка", "ru", "тетка"),
     ("к тебе", "ru", "к тебе"), ("the t t k", "en", "the ttk"),
     ("tee tee kay jam", "en", "ttk jam")],
)
def test_normalize_digit_words_and_abbreviations(said: str, lang: str, expected: str) -> None:
    assert normalize(said, lang) == expected


def test_abbreviations_are_only_the_listed_ones() -> None:
    assert join_spelled_abbreviations("а к в", "ru") == "а к в"
    assert join_spelled_abbreviations("ттк", "ru") == "ттк"


@pytest.mark.parametrize(
    ("said", "lang", "expected"),
    [("one forty four", "en", "144"), ("route one forty four", "en", "144"),
     ("bus one forty four please", "en", "144"), ("two sixty two", "en", "262"),
     ("the nine oh one", "en", "901"), ("one hundred forty four", "en", "144"),
     ("автобус сто сорок четыре", "ru", "144"), ("один сорок четыре", "ru", "144"),
     ("сто сорок четыре", "ru", "144"), ("эм один", "ru", "м1"), ("тэ двадцать пять", "ru", "т25"),
     ("m one", "en", "m1"), ("в пять часов автобус девятьсот один", "ru", "901"),
     ("номер семьдесят восемь", "ru", "78"), ("automobile 1 44", "en", "144")],
)
def test_route_number(said: str, lang: str, expected: str) -> None:
    assert route_number(said, lang) == expected
    assert route_number(normalize(said, lang), lang) == expected


@pytest.mark.parametrize(("said", "lang"), [("нет", "ru"), ("hello", "en"),
                                            ("seven seven oh one two", "en")])
def test_no_route_number(said: str, lang: str) -> None:
    assert route_number(said, lang) is None


def test_pairs_rule_is_not_in_normalize() -> None:
    assert normalize("one forty four", "en") == "1 44"
    assert normalize("at ten thirty", "en") == "at 10 30"
    assert said_in_pairs("one forty four", "en") == "144"
    assert said_in_pairs("twenty two b", "en") == "22"
    assert said_in_pairs("seven seven oh one two three", "en") is None


@pytest.mark.parametrize(
    ("word", "value"),
    [("одиннадцатого", 11), ("второго", 2), ("трёх", 3), ("третьего", 3), ("первого", 1),
     ("двенадцатого", 12), ("стол", None)],
)
def test_ru_ordinal_value(word: str, value: int | None) -> None:
    assert ru_ordinal_value(word) == value
