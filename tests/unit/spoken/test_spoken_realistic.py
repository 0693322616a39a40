"""Spoken forms found by the realistic dialogue suite (assistant/cli/bench/realistic/)."""

from __future__ import annotations

import pytest

from spoken import is_change_of_mind, normalize, route_number


@pytest.mark.parametrize(("said", "lang"), [
    ("а не надо я передумал", "ru"), ("ой забудьте", "ru"), ("ну не надо", "ru"),
    ("oh never mind", "en"), ("well forget it", "en"),
])
def test_change_of_mind_after_an_interjection(said: str, lang: str) -> None:
    assert is_change_of_mind(said, lang)


def test_a_correction_stays_a_correction() -> None:
    assert not is_change_of_mind("а не надо во вторник давайте в среду", "ru")


@pytest.mark.parametrize(("said", "lang", "route"), [
    ("the one forty four at pushkinskaya", "en", "144"),
    ("route one oh one", "en", "101"),
    ("когда придёт сто сорок четвёртый", "ru", "144"),
    ("автобус эн один", "ru", "н1"),
])
def test_route_as_said(said: str, lang: str, route: str) -> None:
    assert route_number(said, lang) == route


@pytest.mark.parametrize(("said", "lang", "text"), [
    ("второго одиннадцатого тысяча девятьсот девяносто второго", "ru", "2 11 1992"),
    ("nine eight seven six five four three two one oh", "en", "9876543210"),
    ("oh i see", "en", "oh i see"),
    ("семь семь один два три четыре", "ru", "771234"),
])
def test_numbers_as_said(said: str, lang: str, text: str) -> None:
    assert normalize(said, lang) == text
