"""Whole dialogues over HTTP, Vosk-style text in both languages, checked against the back-end."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import Stack

from tests.fixtures.stack import only_appointment, patient_token, without_visits

pytestmark = pytest.mark.rasa
POLICY_WORDS_RU = ("семь семь один два три четыре пять шесть семь восемь девять ноль "
                   "один два три четыре")
POLICY_WORDS_EN = "seven seven one two three four five six seven eight nine zero one two three four"


def texts(messages: list[dict[str, Any]]) -> str:
    return " | ".join(m["text"] for m in messages if m.get("text"))


def customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if m.get("custom")]


def session() -> str:
    return uuid.uuid4().hex


def _appointments(stack: Stack) -> list[dict[str, Any]]:
    ident = stack.city("POST", "/health/v1/patients/identify",
                       json={"policy_number": "7712345678901234", "birth_date": "1985-03-14"})
    answer = stack.city("GET", "/health/v1/appointments",
                        headers={"Authorization": f"Bearer {ident['token']}"})
    return list(answer["appointments"])


def test_ru_booking_is_really_booked(stack: Stack) -> None:
    without_visits(stack, "7712345678901234", "1985-03-14")
    s = session()
    assert "Здравствуйте" in texts(stack.say(s, "здравствуйте", "ru"))
    out = stack.say(s, "запишите меня к лору на завтра", "ru")
    assert customs(out)[-1] == {"event": "expect", "slot": "policy_number",
                                "phrases": customs(out)[-1]["phrases"]}
    out = stack.say(s, POLICY_WORDS_RU, "ru")
    assert "7712 3456 7890 1234" in texts(out)
    out = stack.say(s, "четырнадцатого марта тысяча девятьсот восемьдесят пятого года", "ru")
    assert "Иван Петров" in texts(out) and "свободно" in texts(out)
    out = stack.say(s, "второй", "ru")
    assert "Подтверждаете" in texts(out)
    out = stack.say(s, "да", "ru")
    assert "Номер записи" in texts(out)
    reference = texts(out).split("Номер записи")[1].strip(" .|")
    assert any(a["reference"] == reference and a["serviceType"] == "otolaryngologist"
               for a in _appointments(stack))


def test_en_booking_with_troika_digression_and_kiosk_privacy(stack: Stack) -> None:
    without_visits(stack, "7712345678901234", "1985-03-14")
    s = session()
    assert "sixteen digits" in texts(stack.say(s, "i need a dentist", "en", "kiosk"))
    out = stack.say(s, POLICY_WORDS_EN, "en", "kiosk")
    assert "7712" not in texts(out) and "1 2 3 4" in texts(out)
    out = stack.say(s, "what is my troika balance", "en", "kiosk")
    assert "Troika" in texts(out)
    out = stack.say(s, "zero one two three four five six seven eight nine", "en", "kiosk")
    assert "245" in texts(out) and "date of birth" in texts(out)  # answered, then the form resumes
    out = stack.say(s, "march fourteenth nineteen eighty five", "en", "kiosk")
    assert "Ivan Petrov" in texts(out)
    out = stack.say(s, "tomorrow", "en", "kiosk")
    assert "free at" in texts(out)
    out = stack.say(s, "the first one", "en", "kiosk")
    assert "confirm" in texts(out)
    out = stack.say(s, "yes", "en", "kiosk")
    assert "Reference" in texts(out)
    assert any(c["event"] == "display" for c in customs(out))
    reference = texts(out).split("Reference")[1].strip(" .|")
    assert any(a["reference"] == reference for a in _appointments(stack))


def test_ru_failures_explain_then_offer_operator(stack: Stack) -> None:
    s = session()
    assert "шестнадцать цифр" in texts(stack.say(s, "запишите к терапевту", "ru"))
    first = texts(stack.say(s, "не помню", "ru"))
    assert "шестнадцать цифр" in first  # asked again first, then explained
    second = texts(stack.say(s, "не знаю", "ru"))
    assert "группами по четыре" in second, (first, second)
    third = texts(stack.say(s, "понятия не имею", "ru"))
    assert "оператор" in third
    out = stack.say(s, "да", "ru")
    handoff = [c for c in customs(out) if c["event"] == "handoff"]
    assert handoff and handoff[0]["summary"]["last_turns"]


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("ru", ["баланс тройки", "ноль один два три четыре пять шесть семь восемь девять"], "245"),
        ("en", ["check troika card zero one two three four five six seven eight nine"], "245"),
        ("ru", ["очередь в детский сад", "четыре четыре пять пять один два три",
                "первого июня две тысячи двадцать первого года"], "место"),
        ("en", ["kindergarten application four four five five one two three",
                "june first twenty twenty one"], "position"),
        ("ru", ["когда придёт автобус сто сорок четыре на пушкинской площади"], "144"),
        ("en", ["when is tram three at pushkin square"], "tram 3"),
        ("ru", ["какие пробки на садовом кольце"], "балл"),
        ("en", ["traffic on the garden ring"], "traffic level"),
        ("ru", ["где бесплатный вайфай"], "Wi-Fi"),
        ("en", ["where is free wifi"], "Wi-Fi"),
        ("ru", ["статус заявки тысяча один"], "1001"),
        ("en", ["status of request one thousand two"], "1002"),
        ("ru", ["что ты умеешь"], "Тройк"),
        ("en", ["tell me a joke"], "can't help"),
    ],
)
def test_tasks(stack: Stack, lang: str, lines: list[str], expected: str) -> None:
    s = session()
    out: list[dict[str, Any]] = []
    for line in lines:
        out = stack.say(s, line, lang)
    assert expected in texts(out)


def test_ru_report_problem_creates_open311_request(stack: Stack) -> None:
    s = session()
    assert "Что случилось" in texts(stack.say(s, "хочу сообщить о проблеме", "ru"))
    assert "Где это" in texts(stack.say(s, "яма на дороге", "ru"))
    assert "Опишите" in texts(stack.say(s, "тверская улица дом семь", "ru"))
    out = stack.say(s, "глубокая яма посреди дороги", "ru")
    assert "Заявка принята" in texts(out)
    number = "".join(ch for ch in texts(out).split("номер")[1].split(".")[0] if ch.isdigit())
    status = stack.city("GET", f"/open311/v2/requests/{number}.json")
    assert status[0]["status"] == "open"


def test_en_list_names_the_appointment(stack: Stack) -> None:
    token = patient_token(stack.running, "7798765432109876", "1992-11-02")
    only_appointment(stack.running, token, "ophthalmologist")  # whatever other tests did
    s = session()
    assert "sixteen digits" in texts(stack.say(s, "list my appointments", "en"))
    out = stack.say(s, "seven seven nine eight seven six five four three two one zero nine eight "
                       "seven six", "en")
    assert "9876" in texts(out) and "date of birth" in texts(out)
    out = stack.say(s, "november second nineteen ninety two", "en")
    assert "Your appointments" in texts(out) and "ophthalmologist" in texts(out)


def test_language_follows_every_turn_and_switch(stack: Stack) -> None:
    s = session()
    assert "Здравствуйте" in texts(stack.say(s, "привет", "ru"))
    assert "Hello" in texts(stack.say(s, "hello", "en"))
    out = stack.say(s, "говорите по английски", "ru")
    assert {"event": "language", "lang": "en"} in customs(out)


def test_spoken_switch_sticks_until_the_client_changes_lang(stack: Stack) -> None:
    s = session()
    assert "Здравствуйте" in texts(stack.say(s, "привет", "ru"))
    out = stack.say(s, "говорите по английски", "ru")
    assert {"event": "language", "lang": "en"} in customs(out)
    assert "Troika" in texts(stack.say(s, "баланс тройки", "ru"))  # the client still says ru
    assert "Hello" in texts(stack.say(s, "привет", "ru"))
    assert "Hello" in texts(stack.say(s, "hello", "en"))  # the kiosk's button: en
    assert "Здравствуйте" in texts(stack.say(s, "привет", "ru"))  # the button again: ru wins
    out = stack.say(s, "speak english please", "ru")
    assert {"event": "language", "lang": "en"} in customs(out)
    assert "Hello" in texts(stack.say(s, "привет", "ru"))


def test_text_turn_reports_its_interpretation(stack: Stack) -> None:
    body = stack.turn(session(), "запишите меня к лору на завтра", "ru")
    assert body["nlu"]["intent"] == "book_appointment"
    assert body["nlu"]["confidence"] > 0.5
    assert {"entity": "specialty", "value": "otolaryngologist"} in body["nlu"]["entities"]
    assert all(e["type"] != "nlu" for e in body["events"])
def test_goodbye_ends_session(stack: Stack) -> None:
    out = stack.say(session(), "до свидания", "ru")
    assert {"event": "end_session"} in customs(out)
