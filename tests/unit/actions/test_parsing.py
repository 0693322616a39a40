"""actions.parsing: Vosk-style text -> digits, dates, times, specialties."""

from __future__ import annotations

from datetime import date

import pytest

from actions.parsing import canonical_specialty, normalize, parse_birth_date, parse_date, parse_time

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("семь семь один два тридцать четыре", "ru", "771234"),
        ("сто сорок четыре", "ru", "144"),
        ("двадцать пятого", "ru", "25"),
        ("двадцать пятого ноября", "ru", "25 ноября"),
        ("второй", "ru", "2"),
        ("третий вариант", "ru", "3 вариант"),
        ("двадцать третьего", "ru", "23"),
        ("в десять тридцать", "ru", "в 10 30"),
        ("в половине одиннадцатого", "ru", "в половине 11"),
        ("без пятнадцати два", "ru", "без 15 2"),
        ("тысяча девятьсот восемьдесят пятого года", "ru", "1985 года"),
        ("четырнадцатого марта тысяча девятьсот восемьдесят пятого", "ru", "14 марта 1985"),
        ("ноль один два три четыре пять шесть семь восемь девять", "ru", "0123456789"),
        ("четыре четыре пять пять один два три", "ru", "4455123"),
        (
            "семьдесят семь двенадцать тридцать четыре пятьдесят шесть семьдесят восемь "
            "девяносто двенадцать тридцать четыре", "ru", "7712345678901234",
        ),
        ("автобус сто сорок четыре", "ru", "автобус 144"),
        ("Привет!", "ru", "привет"),
        ("", "ru", ""),
        ("seven seven one two", "en", "7712"),
        ("one hundred forty four", "en", "144"),
        ("the second one", "en", "the 2"),
        ("at ten thirty", "en", "at 10 30"),
        ("quarter past ten", "en", "quarter past 10"),
        ("march fourteenth nineteen eighty five", "en", "march 14 1985"),
        ("zero one two three four five six seven eight nine", "en", "0123456789"),
        ("hello", "en", "hello"),
    ],
)
def test_normalize(text: str, lang: str, expected: str) -> None:
    assert normalize(text, lang) == expected


def test_normalize_unknown_language_falls_back_to_russian() -> None:
    assert normalize("сто", "de") == "100"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("завтра", "ru", date(2026, 11, 26)),
        ("послезавтра", "ru", date(2026, 11, 27)),
        ("сегодня", "ru", TODAY),
        ("в пятницу", "ru", date(2026, 11, 27)),
        ("в понедельник", "ru", date(2026, 11, 30)),
        ("25 ноября", "ru", TODAY),
        ("28 ноября", "ru", date(2026, 11, 28)),
        ("на 28", "ru", date(2026, 11, 28)),
        ("2 декабря", "ru", date(2026, 12, 2)),
        ("24 ноября", "ru", date(2027, 11, 24)),
        ("на следующей неделе", "ru", date(2026, 11, 30)),
        ("tomorrow", "en", date(2026, 11, 26)),
        ("next monday", "en", date(2026, 11, 30)),
        ("on friday", "en", date(2026, 11, 27)),
        ("the day after tomorrow", "en", date(2026, 11, 27)),
        ("2 of december", "en", date(2026, 12, 2)),
    ],
)
def test_parse_date(text: str, lang: str, expected: date) -> None:
    assert parse_date(text, lang, TODAY) == expected


def test_parse_date_rejects_noise() -> None:
    assert parse_date("да", "ru", TODAY) is None
    assert parse_date("", "en", TODAY) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("14 марта 1985", "ru", date(1985, 3, 14)),
        ("2 ноября 1992 года", "ru", date(1992, 11, 2)),
        ("14031985", "ru", date(1985, 3, 14)),
        ("1985 03 14", "ru", date(1985, 3, 14)),
        ("march 14 1985", "en", date(1985, 3, 14)),
        ("the 14 of march 1985", "en", date(1985, 3, 14)),
        ("14 марта 85 года", "ru", date(1985, 3, 14)),
        ("140385", "ru", date(1985, 3, 14)),
        ("14 03 85", "ru", date(1985, 3, 14)),
        ("14 03 1985", "ru", date(1985, 3, 14)),
        ("2 ноября 92", "ru", date(1992, 11, 2)),
        ("14 of march 85", "en", date(1985, 3, 14)),
        ("march 14 85", "en", date(1985, 3, 14)),
        ("5 мая 15 года", "ru", date(2015, 5, 5)),
    ],
)
def test_parse_birth_date(text: str, lang: str, expected: date) -> None:
    assert parse_birth_date(text, lang, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["14 марта", "march 14", "завтра", "7712345678901234", "2030 01 01", "143385", "15"]
)
def test_parse_birth_date_needs_a_past_date_with_year(text: str) -> None:
    assert parse_birth_date(text, "ru", TODAY) is None


@pytest.mark.parametrize(
    ("spoken", "lang", "expected"),
    [
        ("в десять тридцать", "ru", "10:30"),
        ("в половине одиннадцатого", "ru", "10:30"),
        ("без пятнадцати два", "ru", "13:45"),
        ("без четверти десять", "ru", "09:45"),
        ("в девять утра", "ru", "09:00"),
        ("в три", "ru", "15:00"),
        ("десять тридцать", "ru", "10:30"),
        ("quarter past ten", "en", "10:15"),
        ("half past ten", "en", "10:30"),
        ("quarter to eleven", "en", "10:45"),
        ("at ten thirty", "en", "10:30"),
        ("at nine am", "en", "09:00"),
        ("at two pm", "en", "14:00"),
    ],
)
def test_parse_time(spoken: str, lang: str, expected: str) -> None:
    found = parse_time(normalize(spoken, lang))
    assert found is not None
    assert str(found) == expected


def test_parse_time_none() -> None:
    assert parse_time("да") is None
    assert parse_time("в 99 99") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("к лору", "otolaryngologist"), ("ENT doctor", "otolaryngologist"),
        ("терапевту", "therapist"), ("к зубному", "dentist"), ("окулисту", "ophthalmologist"),
        ("глазному врачу", "ophthalmologist"), ("педиатру", "pediatrician"),
        ("детскому врачу", "pediatrician"), ("хирургу", "surgeon"),
        ("кардиологу", "cardiologist"), ("невропатологу", "neurologist"),
        ("кожнику", "dermatologist"), ("гинекологу", "gynecologist"), ("a gp", "therapist"),
        ("eye doctor", "ophthalmologist"), ("dentist", "dentist"), ("surgeon", "surgeon"),
        ("therapist", "therapist"),
    ],
)
def test_canonical_specialty(text: str, code: str) -> None:
    assert canonical_specialty(text) == code


def test_canonical_specialty_unknown() -> None:
    assert canonical_specialty("сантехник") is None
    assert canonical_specialty(None) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("the first one", "en", "the 1"),
        ("the second one please", "en", "the 2 please"),
        ("that one", "en", "that one"),
        ("четырнадцать ноль три тысяча девятьсот восемьдесят пять", "ru", "14031985"),
        ("три тысячи", "ru", "3000"),
        ("статус заявки тысяча один", "ru", "статус заявки 1001"),
    ],
)
def test_normalization_gaps(text: str, lang: str, expected: str) -> None:
    assert normalize(text, lang) == expected


def test_birth_date_said_digit_by_digit_with_a_spoken_year() -> None:
    said = normalize("четырнадцать ноль три тысяча девятьсот восемьдесят пять", "ru")
    assert parse_birth_date(said, "ru") == date(1985, 3, 14)


@pytest.mark.parametrize(
    ("spoken", "lang"),
    [
        ("один четыре ноль три восемь пять", "ru"),
        ("четырнадцатое марта восемьдесят пятого года", "ru"),
        ("fourteenth of march eighty five", "en"),
    ],
)
def test_birth_date_with_a_two_digit_year_said_aloud(spoken: str, lang: str) -> None:
    assert parse_birth_date(normalize(spoken, lang), lang, TODAY) == date(1985, 3, 14)
