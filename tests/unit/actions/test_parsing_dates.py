"""Days as callers say them: parse_day() with past/ok, and parse_date() kept for its callers."""

from __future__ import annotations

from datetime import date

import pytest

from actions.parsing import day_mentions, normalize, parse_date, parse_day

TODAY = date(2026, 11, 25)  # a Wednesday

FUTURE = [
    ("давайте пятого числа", "ru", date(2026, 12, 5)),
    ("ну давайте тогда на пятое", "ru", date(2026, 12, 5)),
    ("пятого", "ru", date(2026, 12, 5)),
    ("можно двадцать восьмого", "ru", date(2026, 11, 28)),
    ("на двадцать восьмое", "ru", date(2026, 11, 28)),
    ("давайте двадцать восьмого в три часа", "ru", date(2026, 11, 28)),
    ("тридцать первого числа", "ru", date(2026, 12, 31)),
    ("в пятницу на следующей неделе", "ru", date(2026, 12, 4)),
    ("в следующую пятницу", "ru", date(2026, 12, 4)),
    ("в следующий понедельник", "ru", date(2026, 11, 30)),
    ("в эту пятницу", "ru", date(2026, 11, 27)),
    ("в пятницу", "ru", date(2026, 11, 27)),
    ("в среду", "ru", date(2026, 12, 2)),
    ("давайте во вторник", "ru", date(2026, 12, 1)),
    ("в четверг после обеда", "ru", date(2026, 11, 26)),
    ("в воскресенье", "ru", date(2026, 11, 29)),
    ("в субботу", "ru", date(2026, 11, 28)),
    ("послезавтра", "ru", date(2026, 11, 27)),
    ("давайте послезавтра в десять", "ru", date(2026, 11, 27)),
    ("завтра в десять утра", "ru", date(2026, 11, 26)),
    ("сегодня", "ru", TODAY),
    ("через неделю", "ru", date(2026, 12, 2)),
    ("через два дня", "ru", date(2026, 11, 27)),
    ("через две недели", "ru", date(2026, 12, 9)),
    ("двадцать пятого ноября", "ru", TODAY),
    ("третьего декабря", "ru", date(2026, 12, 3)),
    ("пятого января", "ru", date(2027, 1, 5)),
    ("десятого марта", "ru", date(2027, 3, 10)),
    ("в пятницу в 3 часа дня", "ru", date(2026, 11, 27)),
    ("tomorrow", "en", date(2026, 11, 26)),
    ("tomorrow morning", "en", date(2026, 11, 26)),
    ("on the 5th", "en", date(2026, 12, 5)),
    ("on the fifth", "en", date(2026, 12, 5)),
    ("the twentieth", "en", date(2026, 12, 20)),
    ("let's say the 28th at 3 pm", "en", date(2026, 11, 28)),
    ("next friday", "en", date(2026, 12, 4)),
    ("friday next week", "en", date(2026, 12, 4)),
    ("this friday", "en", date(2026, 11, 27)),
    ("on friday", "en", date(2026, 11, 27)),
    ("on sunday", "en", date(2026, 11, 29)),
    ("friday after next", "en", date(2026, 12, 11)),
    ("the day after tomorrow", "en", date(2026, 11, 27)),
    ("november twenty fifth", "en", TODAY),
    ("the twenty fifth of november", "en", TODAY),
    ("december third", "en", date(2026, 12, 3)),
    ("on the 2nd of december at ten", "en", date(2026, 12, 2)),
    ("in three days", "en", date(2026, 11, 28)),
    ("in a week", "en", date(2026, 12, 2)),
    ("monday", "en", date(2026, 11, 30)),
    ("next tuesday afternoon", "en", date(2026, 12, 1)),
]


@pytest.mark.parametrize(("said", "lang", "expected"), FUTURE)
def test_days_to_come(said: str, lang: str, expected: date) -> None:
    for text in (said, normalize(said, lang)):
        found = parse_day(text, lang, TODAY)
        assert found is not None and found.day == expected and not found.past
        assert found.status == "ok"
        assert parse_date(text, lang, TODAY) == expected


@pytest.mark.parametrize(
    ("said", "lang", "expected"),
    [("вчера", "ru", date(2026, 11, 24)), ("позавчера", "ru", date(2026, 11, 23)),
     ("двадцатого ноября", "ru", date(2026, 11, 20)), ("первого октября", "ru", date(2026, 10, 1)),
     ("в прошлую пятницу", "ru", date(2026, 11, 20)),
     ("двадцать пятого ноября две тысячи двадцать пятого года", "ru", date(2025, 11, 25)),
     ("yesterday", "en", date(2026, 11, 24)),
     ("the day before yesterday", "en", date(2026, 11, 23)),
     ("november 20th", "en", date(2026, 11, 20)), ("last friday", "en", date(2026, 11, 20)),
     ("on the 3rd of november", "en", date(2026, 11, 3))],
)
def test_days_gone_are_reported_as_past(said: str, lang: str, expected: date) -> None:
    found = parse_day(said, lang, TODAY)
    assert found is not None and found.day == expected and found.past
    assert found.status == "past"


@pytest.mark.parametrize(
    ("said", "lang"), [("вчера", "ru"), ("yesterday", "en"), ("в прошлую пятницу", "ru"),
                       ("last friday", "en")],
)
def test_parse_date_never_returns_a_past_day(said: str, lang: str) -> None:
    assert parse_date(said, lang, TODAY) is None


def test_parse_date_keeps_a_past_day_and_month_as_next_year() -> None:
    assert parse_date("24 ноября", "ru", TODAY) == date(2027, 11, 24)


def test_a_bare_day_already_gone_this_month_is_next_month() -> None:
    found = parse_day("двадцатого", "ru", TODAY)
    assert found is not None and found.day == date(2026, 12, 20) and not found.past
    assert found.kind == "day_of_month"


def test_sunday_is_parsed_and_flagged_as_weekend() -> None:
    found = parse_day("в воскресенье", "ru", TODAY)
    assert found is not None and found.is_weekend and found.day.weekday() == 6


def test_a_week_only() -> None:
    found = parse_day("на следующей неделе", "ru", TODAY)
    assert found is not None and found.week and found.day == date(2026, 11, 30)
    found = parse_day("next week", "en", TODAY)
    assert found is not None and found.week


def test_same_weekday_as_today_means_next_week() -> None:
    found = parse_day("в среду", "ru", TODAY)
    assert found is not None and found.day == date(2026, 12, 2)


@pytest.mark.parametrize("said", ["да", "", "в три часа", "at 3 pm", "к кардиологу", "hello"])
def test_not_a_day(said: str) -> None:
    assert parse_day(said, "ru", TODAY) is None


def test_day_mentions_in_order() -> None:
    text = normalize("не во вторник а в пятницу на следующей неделе", "ru")
    days = [m[2].day for m in day_mentions(text, "ru", TODAY)]
    assert days == [date(2026, 12, 1), date(2026, 12, 4)]


@pytest.mark.parametrize("said", ["в девятнадцать ноль ноль", "в 1900", "в 1500"])
def test_a_time_said_as_digits_is_not_a_year(said: str) -> None:
    assert parse_day(said, "ru", TODAY) is None


@pytest.mark.parametrize(
    ("said", "lang"), [("after four", "en"), ("ten minutes before three", "en"), ("до трёх", "ru")]
)
def test_time_bounds_are_not_days(said: str, lang: str) -> None:
    assert parse_day(said, lang, TODAY) is None
