"""Corrections ("не к неврологу, а к кардиологу", "no, wednesday, not tuesday"), change of mind."""

from __future__ import annotations

from datetime import date

import pytest

from actions.parsing import (
    ClockTime,
    DayRequest,
    is_change_of_mind,
    normalize,
    parse_correction,
)

TODAY = date(2026, 11, 25)  # a Wednesday
MON, TUE, WED, THU, FRI, SAT = (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2),
                                date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28))

SPECIALTY = [
    ("не к неврологу а к кардиологу", "ru", "cardiologist", "neurologist"),
    ("не к неврологу, а к кардиологу", "ru", "cardiologist", "neurologist"),
    ("к кардиологу а не к неврологу", "ru", "cardiologist", "neurologist"),
    ("нет не к хирургу к терапевту", "ru", "therapist", "surgeon"),
    ("не надо к неврологу мне к окулисту", "ru", "ophthalmologist", "neurologist"),
    ("вместо терапевта к лору", "ru", "otolaryngologist", "therapist"),
    ("я имел в виду к лору", "ru", "otolaryngologist", None),
    ("нет к зубному", "ru", "dentist", None),
    ("not the neurologist the cardiologist", "en", "cardiologist", "neurologist"),
    ("no not the surgeon but the dentist", "en", "dentist", "surgeon"),
    ("the dermatologist not the surgeon", "en", "dermatologist", "surgeon"),
    ("i meant the dentist", "en", "dentist", None),
    ("actually an eye doctor", "en", "ophthalmologist", None),
]
DATE = [
    ("не во вторник а в среду", "ru", WED, TUE),
    ("не во вторник, а в среду", "ru", WED, TUE),
    ("в среду а не во вторник", "ru", WED, TUE),
    ("не завтра а послезавтра", "ru", date(2026, 11, 27), THU),
    ("вместо пятницы в понедельник", "ru", MON, FRI),
    ("не в пятницу а в субботу в три", "ru", SAT, FRI),
    ("не двадцатого а двадцать пятого ноября", "ru", TODAY, date(2026, 11, 20)),
    ("нет в среду", "ru", WED, None),
    ("ой то есть в четверг", "ru", THU, None),
    ("no wednesday not tuesday", "en", WED, TUE),
    ("no, wednesday, not tuesday", "en", WED, TUE),
    ("not tuesday but wednesday", "en", WED, TUE),
    ("wednesday instead of tuesday", "en", WED, TUE),
    ("no not tomorrow the day after tomorrow", "en", date(2026, 11, 27), THU),
    ("actually friday", "en", FRI, None),
    ("sorry i mean monday", "en", MON, None),
]
TIME = [
    ("не в три а в четыре", "ru", "16:00", "15:00"),
    ("не в 10 а в 11 30", "ru", "11:30", "10:00"),
    ("не на десять а на одиннадцать", "ru", "11:00", "10:00"),
    ("не в половине одиннадцатого а без четверти двенадцать", "ru", "11:45", "10:30"),
    ("в четыре а не в три", "ru", "16:00", "15:00"),
    ("нет лучше в десять утра", "ru", "10:00", None),
    ("not at three at four", "en", "16:00", "15:00"),
    ("not at ten thirty but at eleven", "en", "11:00", "10:30"),
    ("at four not at three", "en", "16:00", "15:00"),
    ("make it half past ten", "en", "10:30", None),
    ("no, quarter to nine", "en", "08:45", None),
]


@pytest.mark.parametrize(("said", "lang", "new", "old"), SPECIALTY)
def test_specialty_corrections(said: str, lang: str, new: str, old: str | None) -> None:
    for text in (said, normalize(said, lang)):
        found = parse_correction(text, lang, TODAY)
        assert found is not None and found.kind == "specialty"
        assert (found.new, found.old) == (new, old)


@pytest.mark.parametrize(("said", "lang", "new", "old"), DATE)
def test_date_corrections(said: str, lang: str, new: date, old: date | None) -> None:
    for text in (said, normalize(said, lang)):
        found = parse_correction(text, lang, TODAY)
        assert found is not None and found.kind == "date"
        assert isinstance(found.new, DayRequest) and found.new.day == new
        assert (found.old.day if isinstance(found.old, DayRequest) else None) == old


@pytest.mark.parametrize(("said", "lang", "new", "old"), TIME)
def test_time_corrections(said: str, lang: str, new: str, old: str | None) -> None:
    for text in (said, normalize(said, lang)):
        found = parse_correction(text, lang, TODAY)
        assert found is not None and found.kind == "time"
        assert isinstance(found.new, ClockTime) and str(found.new) == new
        assert (str(found.old) if found.old is not None else None) == old


@pytest.mark.parametrize(
    ("said", "lang", "kind"),
    [("только не в пятницу", "ru", "date"), ("not on friday", "en", "date"),
     ("только не к хирургу", "ru", "specialty"), ("not at nine", "en", "time")],
)
def test_only_a_rejected_value(said: str, lang: str, kind: str) -> None:
    found = parse_correction(said, lang, TODAY)
    assert found is not None and found.kind == kind and found.new is None
    assert found.old is not None


@pytest.mark.parametrize(
    ("said", "lang"),
    [("к кардиологу", "ru"), ("в среду", "ru"), ("в три часа", "ru"), ("the cardiologist", "en"),
     ("on friday", "en"), ("at 3 pm", "en"), ("да", "ru"), ("", "en")],
)
def test_a_plain_value_is_not_a_correction(said: str, lang: str) -> None:
    assert parse_correction(said, lang, TODAY) is None


@pytest.mark.parametrize(
    ("said", "lang"),
    [("не надо", "ru"), ("я передумал", "ru"), ("я передумала", "ru"), ("ладно забудьте", "ru"),
     ("уже не нужно спасибо", "ru"), ("ничего не надо", "ru"), ("отбой", "ru"),
     ("неважно", "ru"), ("не буду записываться", "ru"), ("давайте не будем", "ru"),
     ("never mind", "en"), ("nevermind", "en"), ("forget it", "en"),
     ("i changed my mind", "en"), ("i've changed my mind", "en"), ("no need", "en"),
     ("don't bother", "en"), ("forget about it", "en"), ("cancel that", "en")],
)
def test_change_of_mind(said: str, lang: str) -> None:
    assert is_change_of_mind(said, lang)
    assert is_change_of_mind(normalize(said, lang), lang)


@pytest.mark.parametrize(
    ("said", "lang"),
    [("не к неврологу а к кардиологу", "ru"), ("не надо во вторник давайте в среду", "ru"),
     ("отмените запись", "ru"), ("запишите к терапевту", "ru"), ("да", "ru"),
     ("scratch that wednesday instead", "en"), ("never mind tuesday how about wednesday", "en"),
     ("book me with a dentist", "en"), ("yes", "en")],
)
def test_not_a_change_of_mind(said: str, lang: str) -> None:
    assert not is_change_of_mind(said, lang)
