"""Russian dialogues through POST /v1/text on the stack `assistant up` runs, Vosk-style text.

Each task has at least one dialogue that checks the back-end state through the city API.
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures.stack import (
    RunningStack,
    Script,
    appointments,
    events_of,
    only_appointment,
    patient_token,
    run_script,
    without_visits,
)

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

IVAN = ("семь семь один два три четыре пять шесть семь восемь девять ноль один два три четыре",
        "четырнадцатого марта тысяча девятьсот восемьдесят пятого года")
SERGEI = ("семь семь ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль один семь",
          "тридцатого июня тысяча девятьсот семьдесят восьмого года")
MARIA = ("семь семь ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль ноль два пять",
         "пятого сентября две тысячи пятнадцатого года")


def digits_after(word: str, text: str) -> str:
    return re.sub(r"\D", "", text.split(word, 1)[1].split(".")[0])


def test_booking_is_really_booked(stack: RunningStack) -> None:
    without_visits(stack, "7712345678901234", "1985-03-14")
    bodies = run_script(stack, Script("ru-book", "ru", (
        ("здравствуйте", ("Здравствуйте",)),
        ("запишите меня к лору на послезавтра", ("полис",)),
        (IVAN[0], ("7712 3456 7890 1234",)),
        (IVAN[1], ("Иван Петров", "свободно")),
        ("первый", ("Подтверждаете",)),
        ("да", ("Номер записи",)),
    )))
    reference = bodies[-1]["replies"][-1]["text"].split("Номер записи")[1].strip(" .")
    token = patient_token(stack, "7712345678901234", "1985-03-14")
    assert any(a["reference"] == reference and a["serviceType"] == "otolaryngologist"
               for a in appointments(stack, token))
    # `nlu` is each turn's own interpretation, inside the form too
    intents = [b["nlu"]["intent"] for b in bodies]
    assert intents == ["greet", "book_appointment", "inform", "inform", "inform", "affirm"], intents
    assert {"entity": "specialty", "value": "otolaryngologist"} in bodies[1]["nlu"]["entities"]


def test_booking_survives_a_troika_digression(stack: RunningStack) -> None:
    run_script(stack, Script("ru-book-digress", "ru", (
        ("мне нужно к терапевту", ("полис",)),
        ("сколько денег на тройке", ("десять цифр номера карты Тройка",)),
        ("ноль один два три четыре пять шесть семь восемь девять", ("245", "полис")),
        (SERGEI[0], ("0017",)),
        (SERGEI[1], ("Сергей Иванов",)),
    )))


def test_cancel_really_cancels(stack: RunningStack) -> None:
    token = patient_token(stack, "7700000000000017", "1978-06-30")
    booked = only_appointment(stack, token, "dentist")
    run_script(stack, Script("ru-cancel", "ru", (
        ("отмените мою запись к врачу", ("полис",)),
        (SERGEI[0], ("Полис 7700 0000 0000 0017", "дату рождения")),
        (SERGEI[1], ("Отменить запись",)),
        ("да", ("Запись отменена",)),
    )))
    assert booked["id"] not in {a["id"] for a in appointments(stack, token)}


def test_reschedule_really_moves(stack: RunningStack) -> None:
    token = patient_token(stack, "7700000000000025", "2015-09-05")
    booked = only_appointment(stack, token, "pediatrician")
    run_script(stack, Script("ru-reschedule", "ru", (
        ("хочу перенести запись к врачу", ("полис",)),
        (MARIA[0], ("Полис 7700 0000 0000 0025", "дату рождения")),
        (MARIA[1], ("Мария Кузнецова", "На какой день")),
        ("завтра", ("свободно",)),
        ("первый", ("Подтверждаете",)),
        ("да", ("Запись перенесена",)),
    )))
    now = appointments(stack, token)
    assert len(now) == 1 and now[0]["id"] != booked["id"]


def test_list_names_every_appointment(stack: RunningStack) -> None:
    token = patient_token(stack, "7700000000000025", "2015-09-05")
    only_appointment(stack, token, "surgeon")
    bodies = run_script(stack, Script("ru-list", "ru", (
        ("какие у меня записи к врачу", ("полис",)),
        (MARIA[0], ("Полис 7700 0000 0000 0025", "дату рождения")),
        (MARIA[1], ("Ваши записи", "хирург")),
    )))
    assert "2)" not in bodies[-1]["replies"][-1]["text"]


def test_troika_balance_matches_the_card(stack: RunningStack) -> None:
    card = stack.city("GET", "/troika/v1/cards/0123456789")
    run_script(stack, Script("ru-troika", "ru", (
        ("баланс тройки", ("десять цифр",)),
        ("ноль один два три четыре пять шесть семь восемь девять", (f"{card['balance_rub']:g}",)),
    )))


def test_kindergarten_position_matches(stack: RunningStack) -> None:
    app = stack.city("POST", "/kindergarten/v1/applications/4455123",
                     json={"child_birth_date": "2021-06-01"})
    run_script(stack, Script("ru-kindergarten", "ru", (
        ("какое у нас место в очереди в детский сад", ("номер заявления",)),
        ("четыре четыре пять пять один два три", ("дату рождения ребёнка",)),
        ("первого июня две тысячи двадцать первого года", (str(app["position"]),)),
    )))
    run_script(stack, Script("ru-kindergarten-offer", "ru", (
        ("статус заявления в детский сад", ("номер заявления",)),
        ("четыре четыре пять пять девять девять девять", ("дату рождения ребёнка",)),
        ("пятнадцатого февраля две тысячи двадцать второго года",
         ("предложено место", "Детский сад № 2077")),
    )))


def test_transport_arrivals_for_a_route(stack: RunningStack) -> None:
    run_script(stack, Script("ru-transit", "ru", (
        ("когда придёт автобус сто сорок четыре на пушкинской площади",
         ("Пушкинская площадь", "144")),
    )))


def test_traffic_level_matches_the_road(stack: RunningStack) -> None:
    road = stack.city("GET", "/traffic/v1/roads", params={"q": "садовое"})["roads"][0]
    run_script(stack, Script("ru-traffic", "ru", (
        ("какие сейчас пробки на садовом кольце", (f"пробки {road['level']} балл",)),
    )))


def test_wifi_names_the_nearest_hotspot(stack: RunningStack) -> None:
    nearest = stack.city("GET", "/wifi/v1/hotspots/nearest",
                                 params={"lat": 55.7655, "lon": 37.6050, "limit": 1})
    run_script(stack, Script("ru-wifi", "ru", (
        ("где поблизости бесплатный вайфай", (nearest["hotspots"][0]["name_ru"],)),
    )))


def test_report_problem_creates_an_open311_request(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("ru-report", "ru", (
        ("хочу сообщить о проблеме", ("Что случилось",)),
        ("яма на дороге", ("Где это",)),
        ("тверская улица дом семь", ("Опишите",)),
        ("глубокая яма посреди дороги", ("Заявка принята",)),
    )))
    number = digits_after("номер", bodies[-1]["replies"][-1]["text"])
    request = stack.city("GET", f"/open311/v2/requests/{number}.json")[0]
    assert request["status"] == "open" and "яма" in request["description"]


def test_request_status_matches(stack: RunningStack) -> None:
    request = stack.city("GET", "/open311/v2/requests/1001.json")[0]
    status = "в работе" if request["status"] == "open" else "выполнена"
    run_script(stack, Script("ru-status", "ru", (
        ("какой статус у заявки тысяча один",
         ("1001", status, request["service_name_ru"], request["status_notes_ru"])),
    )))


def test_handoff_carries_a_masked_summary(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("ru-handoff", "ru", (
        ("запишите к стоматологу", ("полис",)),
        (IVAN[0], ("Полис 7712 3456 7890 1234", "дату рождения")),
        ("соедините с оператором", ("оператор",)),
    )))
    summary = events_of(bodies, "handoff")[0]["summary"]
    assert "7712345678901234" not in str(summary) and summary["last_turns"]


def test_help_and_out_of_scope(stack: RunningStack) -> None:
    run_script(stack, Script("ru-help", "ru", (
        ("что ты умеешь", ("Тройк",)),
        ("расскажи анекдот", ("помочь",)),
    )))


def test_spoken_switch_to_english_sticks(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("ru-switch", "ru", (
        ("привет", ("Здравствуйте",)),
        ("говорите по английски", ("English",)),
        ("баланс тройки", ("Troika",)),
    )))
    assert {"type": "language", "lang": "en"} in events_of(bodies, "language")


def test_bad_answers_explain_then_offer_an_operator(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("ru-failures", "ru", (
        ("баланс тройки", ("десять цифр",)),
        ("не помню", ("десять цифр",)),  # asked again, then explained
        ("не знаю", ("десять",)),
        ("понятия не имею", ("оператор",)),
        ("да", ("Соединяю с оператором",)),
    )))
    assert events_of(bodies, "handoff")


def test_goodbye_ends_the_session(stack: RunningStack) -> None:
    bodies = run_script(stack, Script("ru-bye", "ru", (("до свидания", ("До свидания",)),)))
    assert events_of(bodies, "end_session")
