"""Clock times, parts of the day and "later"/"earlier" as callers say them, raw and normalized."""

from __future__ import annotations

import pytest

from actions.parsing import (
    AFTERNOON,
    EVENING,
    MIDDAY,
    MORNING,
    ClockTime,
    normalize,
    parse_clock,
    parse_day_part,
    parse_time,
    parse_time_request,
)

RU_CLOCK = [
    ("в три часа дня", "15:00"), ("в половине одиннадцатого", "10:30"),
    ("без четверти двенадцать", "11:45"), ("без пятнадцати два", "13:45"),
    ("в десять утра", "10:00"), ("в пять вечера", "17:00"), ("в десять тридцать", "10:30"),
    ("полдень", "12:00"), ("давайте в полдень", "12:00"), ("в час дня", "13:00"),
    ("в час", "13:00"), ("в двенадцать", "12:00"), ("в одиннадцать тридцать", "11:30"),
    ("в четверть третьего", "14:15"), ("в двадцать минут третьего", "14:20"),
    ("без десяти три", "14:50"), ("без пяти десять", "09:55"),
    ("в пятнадцать ноль ноль", "15:00"), ("в пятнадцать часов", "15:00"),
    ("в девять часов утра", "09:00"), ("в два часа ночи", "02:00"),
    ("пол одиннадцатого", "10:30"), ("полдесятого", "09:30"), ("в полвторого", "13:30"),
    ("в три часа тридцать минут", "15:30"), ("в десять ноль пять", "10:05"),
    ("в одиннадцать", "11:00"), ("в три", "15:00"), ("к девяти", "09:00"),
    ("к двум часам", "14:00"), ("в шестнадцать тридцать", "16:30"),
    ("десять минут одиннадцатого", "10:10"), ("в половине первого", "12:30"),
    ("без четверти час", "12:45"), ("в десять с половиной", "10:30"),
    ("в одиннадцать вечера", "23:00"), ("в семь утра", "07:00"), ("в семь", "19:00"),
    ("в восемь", "08:00"), ("давайте в пятницу в три", "15:00"),
    ("завтра утром в девять", "09:00"), ("можно в 10 30", "10:30"), ("в 14:00", "14:00"),
    ("половина второго", "13:30"), ("в половину двенадцатого", "11:30"),
    ("без двадцати минут пять", "16:40"), ("в пять минут десятого", "09:05"),
    ("на десять тридцать", "10:30"), ("в четыре сорок пять", "16:45"),
    ("в 3 часа дня", "15:00"), ("без 15 2", "13:45"), ("в половине 11", "10:30"),
]
EN_CLOCK = [
    ("at a quarter past two", "14:15"), ("half past ten", "10:30"), ("quarter to nine", "08:45"),
    ("at eleven", "11:00"), ("at three pm", "15:00"), ("at 3 pm", "15:00"),
    ("eleven thirty", "11:30"), ("noon", "12:00"), ("at noon", "12:00"), ("midday", "12:00"),
    ("at twelve noon", "12:00"), ("at one", "13:00"), ("twenty past three", "15:20"),
    ("ten to four", "15:50"), ("at two thirty", "14:30"), ("at two o'clock", "14:00"),
    ("at ten fifteen am", "10:15"), ("five past nine", "09:05"),
    ("at nine in the morning", "09:00"), ("at three in the afternoon", "15:00"),
    ("at seven in the evening", "19:00"), ("a quarter to twelve", "11:45"),
    ("half ten", "10:30"), ("at half past two", "14:30"), ("at four forty five", "16:45"),
    ("two fifteen pm", "14:15"), ("at two", "14:00"), ("at 10 30", "10:30"),
    ("ten oh five", "10:05"), ("twelve am", "00:00"), ("at 12 pm", "12:00"),
    ("three o'clock", "15:00"), ("how about eight thirty", "08:30"),
    ("twenty five to eleven", "10:35"), ("at 9:15", "09:15"), ("at seven am", "07:00"),
    ("quarter past 10", "10:15"), ("at 2 30", "14:30"),
]


@pytest.mark.parametrize(("said", "expected"), RU_CLOCK)
def test_russian_clock_times_raw_and_normalized(said: str, expected: str) -> None:
    assert str(parse_time(said, "ru")) == expected
    assert str(parse_time(normalize(said, "ru"))) == expected  # the gateway's text, no lang


@pytest.mark.parametrize(("said", "expected"), EN_CLOCK)
def test_english_clock_times_raw_and_normalized(said: str, expected: str) -> None:
    assert str(parse_time(said, "en")) == expected
    assert str(parse_time(normalize(said, "en"))) == expected


@pytest.mark.parametrize(
    ("said", "lang", "hour"),
    [("3", "ru", 15), ("три", "ru", 15), ("третий", "ru", 15), ("three", "en", 15),
     ("11", "en", 11), ("ну давайте 2", "ru", 14), ("please 4", "en", 16)],
)
def test_a_bare_number_is_not_an_explicit_time(said: str, lang: str, hour: int) -> None:
    clock = parse_clock(said, lang)
    assert clock is not None and clock.hour == hour and not clock.explicit
    assert parse_time(said, lang) is None  # may be option N: parse_time leaves it alone


@pytest.mark.parametrize(
    ("said", "lang"),
    [("в три часа", "ru"), ("в 3", "ru"), ("at three", "en"), ("at 3 pm", "en"),
     ("10 30", "ru"), ("half past two", "en")],
)
def test_a_clock_phrase_is_explicit(said: str, lang: str) -> None:
    clock = parse_clock(said, lang)
    assert clock is not None and clock.explicit


@pytest.mark.parametrize(
    ("said", "lang", "expected"),
    [("около десяти", "ru", "10:00"), ("часа в три", "ru", "15:00"),
     ("часов в десять", "ru", "10:00"), ("в районе трёх", "ru", "15:00"),
     ("примерно в два", "ru", "14:00"), ("around three", "en", "15:00"),
     ("about ten thirty", "en", "10:30")],
)
def test_approximate_times(said: str, lang: str, expected: str) -> None:
    clock = parse_time(said, lang)
    assert clock is not None and str(clock) == expected and clock.approximate


@pytest.mark.parametrize(
    ("said", "lang"),
    [("да", "ru"), ("в 99 99", "ru"), ("пятого числа", "ru"), ("на 5 число", "ru"),
     ("через час", "ru"), ("option three", "en"), ("on the 5th", "en"), ("hello", "en"),
     ("", "en"), ("25 ноября", "ru"), ("через 2 дня", "ru"), ("in 3 days", "en"),
     ("вариант 2", "ru"), ("number two", "en")],
)
def test_not_a_time(said: str, lang: str) -> None:
    assert parse_time(said, lang) is None


def test_clock_time_equality_and_text_ignore_the_flags() -> None:
    assert ClockTime(15, 0, explicit=False) == ClockTime(15, 0)
    assert str(ClockTime(9, 5, approximate=True)) == "09:05"


@pytest.mark.parametrize(
    ("said", "lang", "window"),
    [("после обеда", "ru", AFTERNOON), ("утром", "ru", MORNING), ("вечером", "ru", EVENING),
     ("с утра", "ru", MORNING), ("днём", "ru", AFTERNOON), ("ближе к вечеру", "ru", EVENING),
     ("до обеда", "ru", MORNING), ("во второй половине дня", "ru", AFTERNOON),
     ("в обед", "ru", MIDDAY), ("завтра после обеда", "ru", AFTERNOON),
     ("in the afternoon", "en", AFTERNOON), ("in the morning", "en", MORNING),
     ("in the evening", "en", EVENING), ("after lunch", "en", AFTERNOON),
     ("tomorrow morning", "en", MORNING), ("before lunch", "en", MORNING),
     ("at lunchtime", "en", MIDDAY), ("tonight", "en", EVENING)],
)
def test_parts_of_the_day(said: str, lang: str, window: object) -> None:
    assert parse_day_part(said, lang) == window
    assert parse_day_part(normalize(said, lang)) == window
    assert parse_time_request(said, lang).window == window


@pytest.mark.parametrize(
    ("said", "lang", "name", "start", "end"),
    [("после трёх", "ru", "after", "15:00", "21:00"),
     ("не раньше двух", "ru", "after", "14:00", "21:00"),
     ("до двенадцати", "ru", "before", "08:00", "12:00"),
     ("не позже одиннадцати", "ru", "before", "08:00", "11:00"),
     ("с десяти до двух", "ru", "between", "10:00", "14:00"),
     ("after three", "en", "after", "15:00", "21:00"),
     ("before eleven", "en", "before", "08:00", "11:00"),
     ("between ten and two", "en", "between", "10:00", "14:00"),
     ("from 9 to 12", "en", "between", "09:00", "12:00"),
     ("not before four", "en", "after", "16:00", "21:00")],
)
def test_bounds_are_windows_not_clock_times(
    said: str, lang: str, name: str, start: str, end: str
) -> None:
    request = parse_time_request(said, lang)
    assert request.clock is None and request.window is not None
    assert (request.window.name, str(request.window.start), str(request.window.end)) == (
        name, start, end)


@pytest.mark.parametrize(
    ("said", "lang", "shift"),
    [("попозже", "ru", "later"), ("можно попозже", "ru", "later"), ("а позже есть", "ru", "later"),
     ("пораньше", "ru", "earlier"), ("а пораньше нельзя", "ru", "earlier"),
     ("later", "en", "later"), ("something later", "en", "later"),
     ("anything earlier", "en", "earlier"), ("a bit later please", "en", "later")],
)
def test_shift_later_or_earlier(said: str, lang: str, shift: str) -> None:
    request = parse_time_request(said, lang)
    assert request.shift == shift and request.clock is None


def test_time_request_combines_clock_and_window() -> None:
    request = parse_time_request("завтра утром в девять", "ru")
    assert str(request.clock) == "09:00" and request.window == MORNING and request
    assert not parse_time_request("да", "ru")


def test_day_part_contains() -> None:
    assert AFTERNOON.contains(15, 30) and not AFTERNOON.contains(17, 0)
    assert MORNING.contains(8) and not MORNING.contains(12)


@pytest.mark.parametrize(
    ("said", "lang", "expected"),
    [("a quarter after four", "en", "16:15"), ("ten minutes before three", "en", "14:50"),
     ("twenty after nine", "en", "09:20")],
)
def test_past_and_to_words_are_not_bounds(said: str, lang: str, expected: str) -> None:
    request = parse_time_request(said, lang)
    assert str(request.clock) == expected and request.window is None
