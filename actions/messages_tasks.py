"""Catalogue lines of the city tasks (merged into actions.messages.MESSAGES)."""

from __future__ import annotations

TASK_MESSAGES: dict[str, dict[str, str]] = {
    "service_troika": {"ru": "Тройка", "en": "Troika"},
    "service_kindergarten": {"ru": "детские сады", "en": "kindergarten"},
    "service_transit": {"ru": "транспорт", "en": "transit"},
    "service_traffic": {"ru": "пробки", "en": "traffic"},
    "service_wifi": {"ru": "Wi-Fi", "en": "Wi-Fi"},
    "service_open311": {"ru": "городские заявки", "en": "city requests"},
    "service_health": {"ru": "запись к врачу", "en": "doctor booking"},
    # kindergarten: the child's birth date is the second factor of a status request
    "ask_child_birth": {
        "ru": "Назовите дату рождения ребёнка: число, месяц и год.",
        "en": "Please say the child's date of birth: day, month and year.",
    },
    "child_birth_format": {
        "ru": "Дату рождения ребёнка скажите так: первое июня две тысячи двадцать первого года.",
        "en": "Say the child's date of birth like this: june first twenty twenty one.",
    },
    "kg_not_matched": {
        "ru": "Заявление {number} с такой датой рождения ребёнка не найдено. Проверьте номер "
              "заявления и дату.",
        "en": "No application {number} with this child's date of birth was found. Please check "
              "the number and the date.",
    },
    # transit, traffic, wifi
    "ask_stop": {"ru": "Какая остановка?", "en": "Which stop?"},
    "ask_route": {
        "ru": "Не расслышал номер маршрута. Назовите его ещё раз, например: сто сорок четыре.",
        "en": "I did not catch the route number. Please say it again, for example: one "
              "forty four.",
    },
    "route_not_at_stop": {
        "ru": "Маршрут {route} не останавливается на остановке {stop}. Здесь ходят: {routes}.",
        "en": "Route {route} does not stop at {stop}. Routes here: {routes}.",
    },
    "stop_unknown": {
        "ru": "Не нашёл остановку «{stop}». Назовите её иначе.",
        "en": "I could not find the stop {stop}. Please say it another way.",
    },
    "arrivals": {"ru": "Остановка {stop}: {items}.", "en": "Stop {stop}: {items}."},
    "arrival_item": {
        "ru": "{kind} {route} через {minutes} мин", "en": "{kind} {route} in {minutes} min",
    },
    "arrival_item_at": {"ru": "{kind} {route} в {time}", "en": "{kind} {route} at {time}"},
    "no_arrivals": {
        "ru": "На остановке {stop} в ближайшее время рейсов нет.",
        "en": "No departures from {stop} soon.",
    },
    "bus": {"ru": "автобус", "en": "bus"},
    "tram": {"ru": "трамвай", "en": "tram"},
    "traffic_road": {
        "ru": "{road}: пробки {level} {level|балл|балла|баллов} из 10.", "en": "{road}: traffic level {level} of 10.",
    },
    "traffic_city": {"ru": "Пробки сейчас: {items}.", "en": "Traffic now: {items}."},
    "road_unknown": {
        "ru": "Не знаю дорогу «{road}». Назовите другую.",
        "en": "I do not know the road {road}. Please name another one.",
    },
    "wifi": {
        "ru": "Ближайший бесплатный Wi-Fi: {name}, сеть {ssid}, {distance} {distance|метр|метра|метров}.",
        "en": "Nearest free Wi-Fi: {name}, network {ssid}, {distance} {distance|metre|metres} away.",
    },
    "no_wifi": {"ru": "Рядом точек Wi-Fi не нашёл.", "en": "I found no Wi-Fi hotspot nearby."},
    # open311
    "ask_problem_type": {
        "ru": "Что случилось? Например: яма на дороге, не горит фонарь, не вывезли мусор.",
        "en": "What is the problem? For example: a pothole, a broken street light, garbage.",
    },
    "ask_problem_place": {
        "ru": "Где это? Назовите улицу и дом.", "en": "Where is it? Say the street and house.",
    },
    "ask_problem_description": {
        "ru": "Опишите проблему одной фразой.", "en": "Describe the problem in one sentence.",
    },
    "problem_reported": {
        "ru": "Заявка принята, номер {number}. Статус можно узнать по этому номеру.",
        "en": "Your report is filed, number {number}. You can check its status with it.",
    },
    "ask_request_id": {"ru": "Назовите номер заявки.", "en": "Please say the request number."},
    "request_id_format": {
        "ru": "Номер заявки — это цифры из подтверждения, например один ноль ноль один.",
        "en": "The request number is the digits from your confirmation, for example one "
              "zero zero one.",
    },
    "request_status": {
        "ru": "Заявка {number} ({service}): {status}. {notes}.",
        "en": "Request {number} ({service}): {status}. {notes}.",
    },
    "request_unknown": {
        "ru": "Заявка {number} не найдена.", "en": "Request {number} was not found.",
    },
    "status_open": {"ru": "в работе", "en": "open"},
    "status_closed": {"ru": "выполнена", "en": "closed"},
    # appointments
    "no_appointments": {
        "ru": "У вас нет предстоящих записей.", "en": "You have no upcoming appointments.",
    },
    "appointments": {"ru": "Ваши записи: {items}.", "en": "Your appointments: {items}."},
    "appointment_item": {"ru": "{n}) {specialty}, {when}", "en": "{n}) {specialty}, {when}"},
    "which_appointment": {
        "ru": "Какую запись? Назовите номер: {items}.",
        "en": "Which appointment? Say its number: {items}.",
    },
    "confirm_cancel": {
        "ru": "Отменить запись: {specialty}, {when}? Скажите да или нет.",
        "en": "Cancel the appointment: {specialty}, {when}? Please say yes or no.",
    },
    "cancelled": {
        "ru": "Запись отменена: {specialty}, {when}.",
        "en": "The appointment is cancelled: {specialty}, {when}.",
    },
    "not_cancelled": {"ru": "Хорошо, запись остаётся.", "en": "OK, the appointment stays."},
    "rescheduled": {
        "ru": "Запись перенесена: {specialty}, {when}. Номер записи {reference}.",
        "en": "Your appointment is moved: {specialty}, {when}. Reference {reference}.",
    },
    "not_rescheduled": {
        "ru": "Хорошо, оставляю прежнее время.", "en": "OK, I keep the old time.",
    },
}

TASK_MESSAGES.update({
    "intent_book_appointment": {"ru": "записаться к врачу", "en": "book a doctor's appointment"},
    "intent_cancel_appointment": {"ru": "отменить запись к врачу", "en": "cancel an appointment"},
    "intent_list_appointments": {"ru": "узнать свои записи к врачу", "en": "list your appointments"},
    "intent_reschedule_appointment": {"ru": "перенести запись к врачу",
                                      "en": "reschedule an appointment"},
    "intent_kindergarten_queue_status": {"ru": "узнать очередь в детский сад",
                                         "en": "check a kindergarten queue"},
    "intent_troika_balance": {"ru": "узнать баланс Тройки", "en": "check a Troika balance"},
    "intent_transport_arrivals": {"ru": "узнать, когда придёт транспорт",
                                  "en": "know when transit arrives"},
    "intent_traffic_status": {"ru": "узнать о пробках", "en": "check the traffic"},
    "intent_wifi_nearby": {"ru": "найти бесплатный Wi-Fi", "en": "find free Wi-Fi"},
    "intent_report_problem": {"ru": "сообщить о проблеме в городе", "en": "report a city problem"},
    "intent_request_status": {"ru": "узнать статус заявки", "en": "check a request status"},
    "intent_human_handoff": {"ru": "поговорить с оператором", "en": "talk to an operator"},
})
