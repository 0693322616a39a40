"""Completeness of restricted answers (early endpointing), on Vosk-style text in both languages."""

from __future__ import annotations

import pytest

from assistant.gateway.answer_complete import Expectation, is_complete

YES_NO_RU = Expectation("yes_no", ("да", "нет", "попробуй ещё раз", "оператор"))
YES_NO_EN = Expectation("yes_no", ("yes", "no", "try again", "operator"))
POLICY = Expectation("policy_number", ("ноль", "один"))
CARD = Expectation("card_number")
BIRTH = Expectation("birth_date")
CHOICE_RU = Expectation("slot_choice", ("первый", "второй", "третий", "позже", "другой день",
                                        "10:30", "11:00"))
CHOICE_EN = Expectation("slot_choice", ("the first one", "the second one", "the third one",
                                        "later", "another day", "10:30"))
DATE_RU = Expectation("date", ("сегодня", "завтра", "послезавтра"))

RU_POLICY = "семь семь ноль ноль один два три четыре пять шесть семь восемь девять ноль один два"
EN_POLICY = "seven seven oh oh one two three four five six seven eight nine oh one two"


@pytest.mark.parametrize(("expect", "text", "lang"), [
    (YES_NO_RU, "да", "ru"), (YES_NO_RU, "нет", "ru"), (YES_NO_RU, "попробуй ещё раз", "ru"),
    (YES_NO_RU, "да конечно", "ru"), (YES_NO_EN, "yes", "en"), (YES_NO_EN, "nope", "en"),
    (YES_NO_EN, "try again", "en"),
    (POLICY, RU_POLICY, "ru"), (POLICY, EN_POLICY, "en"),
    (POLICY, "семьдесят семь ноль ноль двенадцать тридцать четыре пятьдесят шесть семьдесят "
             "восемь девяносто ноль двенадцать", "ru"),
    (CARD, "один два три четыре пять шесть семь восемь девять ноль", "ru"),
    (CARD, "one two three four five six seven eight nine zero", "en"),
    (BIRTH, "четырнадцатого марта тысяча девятьсот восемьдесят пятого", "ru"),
    (BIRTH, "первое января две тысячи третьего", "ru"),
    (BIRTH, "march fourteenth nineteen eighty five", "en"),
    (BIRTH, "fourteen march nineteen eighty five", "en"),
    (CHOICE_RU, "второй", "ru"), (CHOICE_RU, "десять тридцать", "ru"), (CHOICE_RU, "позже", "ru"),
    (CHOICE_EN, "the second one", "en"), (CHOICE_EN, "ten thirty", "en"),
    (DATE_RU, "завтра", "ru"),
    (Expectation("confirm", ("네", "아니요")), "네", "ko"),
])
def test_complete_answers(expect: Expectation, text: str, lang: str) -> None:
    assert is_complete(expect, text, lang)


@pytest.mark.parametrize(("expect", "text", "lang"), [
    (YES_NO_RU, "да но", "ru"), (YES_NO_RU, "попробуй", "ru"), (YES_NO_RU, "да нет", "ru"),
    (YES_NO_EN, "yes but", "en"), (YES_NO_EN, "try", "en"), (YES_NO_RU, "", "ru"),
    (POLICY, RU_POLICY.rsplit(" ", 1)[0], "ru"), (POLICY, EN_POLICY.rsplit(" ", 1)[0], "en"),
    (POLICY, RU_POLICY + " три", "ru"),
    # a number that may still grow: "... девяносто" may become "девяносто восемь"
    (POLICY, "семьдесят семь ноль ноль двенадцать тридцать четыре пятьдесят шесть семьдесят "
             "восемь ноль ноль двенадцать девяносто", "ru"),
    (POLICY, "мой полис " + RU_POLICY, "ru"),
    (BIRTH, "четырнадцатого марта тысяча девятьсот восемьдесят", "ru"),
    (BIRTH, "четырнадцатого марта", "ru"),
    (BIRTH, "march fourteenth nineteen eighty", "en"),
    (BIRTH, "march fourteenth nineteen", "en"),
    (CHOICE_RU, "десять", "ru"), (CHOICE_RU, "другой", "ru"), (CHOICE_RU, "пятый", "ru"),
    (CHOICE_EN, "the", "en"), (CHOICE_EN, "another", "en"),
    (DATE_RU, "в пятницу", "ru"),
    (Expectation("free_text"), "да", "ru"), (None, "да", "ru"),
    (Expectation("slot_choice"), "второй", "ru"),  # nothing offered: nothing to match
])
def test_incomplete_answers(expect: Expectation | None, text: str, lang: str) -> None:
    assert not is_complete(expect, text, lang)


def test_expectation_from_the_expect_event() -> None:
    got = Expectation.from_event({"slot": "yes_no", "phrases": ["да", "нет"]})
    assert got == Expectation("yes_no", ("да", "нет")) and got.restricted
    assert Expectation.from_event({"slot": ""}) is None
    free = Expectation.from_event({"slot": "free_text", "phrases": []})
    assert free is not None and not free.restricted
