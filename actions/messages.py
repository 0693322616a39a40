"""Every line the assistant says, in Russian and English. One catalogue, one lookup: `say`."""

from __future__ import annotations

import functools
import re
from typing import Any

from babel import Locale

from actions.messages_booking import BOOKING_MESSAGES
from actions.messages_reminder import REMINDER_MESSAGES
from actions.messages_repair import REPAIR_MESSAGES
from actions.messages_tasks import TASK_MESSAGES

MESSAGES: dict[str, dict[str, str]] = {
    "greet": {
        "ru": "Здравствуйте! Я городской помощник. Чем могу помочь?",
        "en": "Hello! I am the city assistant. How can I help you?",
    },
    "goodbye": {"ru": "До свидания! Всего доброго.", "en": "Goodbye! Have a nice day."},
    "thank": {"ru": "Пожалуйста! Что-нибудь ещё?", "en": "You are welcome! Anything else?"},
    "help": {
        "ru": "Я могу записать к врачу, отменить или перенести запись, показать ваши записи, "
              "узнать очередь в детский сад, баланс карты Тройка, когда придёт транспорт, "
              "пробки на дороге, найти бесплатный Wi-Fi, принять сообщение о проблеме в городе "
              "и сказать статус заявки. Что вам нужно?",
        "en": "I can book, cancel or reschedule a doctor's appointment, list your appointments, "
              "check a kindergarten queue, a Troika card balance, transit arrivals, traffic on a "
              "road, find free Wi-Fi, report a city problem and check a request status. "
              "What do you need?",
    },
    "out_of_scope": {
        "ru": "С этим я не помогу. Я могу помочь с записью к врачу, Тройкой, транспортом, "
              "пробками, Wi-Fi, детским садом и городскими заявками.",
        "en": "I can't help with that. I can help with doctor visits, Troika, transit, traffic, "
              "Wi-Fi, kindergarten and city problem reports.",
    },
    "clarify": {
        "ru": "Простите, я не уверен, что понял. Вы хотите {guess}? Скажите да или нет.",
        "en": "Sorry, I am not sure I understood. Do you want to {guess}? Please say yes or no.",
    },
    "clarify_open": {
        "ru": "Простите, я не понял. Скажите, пожалуйста, иначе, или скажите «помощь».",
        "en": "Sorry, I did not understand. Please say it another way, or say help.",
    },
    "nothing_to_repeat": {"ru": "Я ещё ничего не говорил.", "en": "I have not said anything yet."},
    "stopped": {
        "ru": "Хорошо, отменил. Чем ещё могу помочь?",
        "en": "OK, cancelled. What else can I do for you?",
    },
    "affirm_idle": {"ru": "Хорошо. Чем могу помочь?", "en": "OK. How can I help?"},
    "deny_idle": {"ru": "Хорошо. Что-нибудь ещё?", "en": "All right. Anything else?"},
    "handoff": {
        "ru": "Соединяю с оператором. Я передам ему, о чём мы говорили.",
        "en": "Connecting you to an operator. I will pass on what we discussed.",
    },
    "language_switched": {
        "ru": "Хорошо, говорю по-русски. Чем могу помочь?",
        "en": "OK, I will speak English. How can I help?",
    },
    "service_down": {
        "ru": "Извините, сервис «{service}» сейчас не отвечает. Попробовать ещё раз или "
              "соединить с оператором?",
        "en": "Sorry, the {service} service is not responding right now. Shall I try again, "
              "or connect you to an operator?",
    },
    "rate_limited": {
        "ru": "Извините, сейчас слишком много запросов. Попробовать ещё раз или соединить с "
              "оператором?",
        "en": "Sorry, there are too many requests right now. Shall I try again, or connect you "
              "to an operator?",
    },
    "offer_operator": {
        "ru": "Кажется, у нас не получается. Соединить вас с оператором?",
        "en": "It seems this is not working. Shall I connect you to an operator?",
    },
    # troika
    "ask_card": {
        "ru": "Назовите десять цифр номера карты Тройка.",
        "en": "Please say the ten digits of your Troika card number.",
    },
    "card_format": {
        "ru": "Номер карты Тройка — это десять цифр на обороте карты. Говорите по одной цифре "
              "или парами, например: ноль один, двадцать три.",
        "en": "A Troika card number is ten digits on the back of the card. Say them one by one "
              "or in pairs, for example: zero one, twenty three.",
    },
    "troika_balance": {
        "ru": "На карте {card} {balance} {balance|рубль|рубля|рублей}.",
        "en": "The card {card} has {balance} {balance|rouble|roubles}.",
    },
    "troika_unknown": {
        "ru": "Карта {card} не найдена. Проверьте номер.",
        "en": "The card {card} was not found. Please check the number.",
    },
    # kindergarten
    "ask_application": {
        "ru": "Назовите номер заявления в детский сад.",
        "en": "Please say the kindergarten application number.",
    },
    "application_format": {
        "ru": "Номер заявления — это семь цифр из уведомления на портале. Назовите их по одной.",
        "en": "The application number is seven digits from your portal notice. Say them one by one.",
    },
    "kg_in_queue": {
        "ru": "Заявление {number}: в очереди, место {position} из {total}. {gardens}.",
        "en": "Application {number}: in the queue, position {position} of {total}. {gardens}.",
    },
    "kg_status": {
        "ru": "Заявление {number}: {status}. {gardens}.",
        "en": "Application {number}: {status}. {gardens}.",
    },
    "kindergarten_no": {"ru": "Детский сад № {number}", "en": "Kindergarten No. {number}"},
    "kg_unknown": {
        "ru": "Заявление {number} не найдено. Проверьте номер.",
        "en": "Application {number} was not found. Please check the number.",
    },
}


MESSAGES.update(TASK_MESSAGES)
MESSAGES.update(BOOKING_MESSAGES)
MESSAGES.update(REPAIR_MESSAGES)
MESSAGES.update(REMINDER_MESSAGES)


# `{level|балл|балла|баллов}`: the word for the number `level`, by CLDR plural rules (Babel);
# the forms follow the language's categories in this order.
_COUNTED = re.compile(r"\{(\w+)\|([^{}]+)\}")
_CATEGORIES = {"ru": {"one": 0, "few": 1, "many": 2, "other": 1},  # "2,5 балла"
               "en": {"one": 0, "other": 1}}


def say(key: str, lang: str, **params: Any) -> str:
    """The catalogue line `key` in `lang` (Russian when the language is unknown)."""
    lang = lang if lang in MESSAGES[key] else "ru"
    template = MESSAGES[key][lang]
    if not params:
        return template
    template = _COUNTED.sub(lambda m: _counted(m.group(2).split("|"), params[m.group(1)], lang),
                            template)
    return template.format(**params)


def _counted(forms: list[str], number: Any, lang: str) -> str:
    positions = _CATEGORIES.get(lang, _CATEGORIES["en"])
    index = positions.get(_locale(lang).plural_form(abs(float(number))), len(forms) - 1)
    return forms[min(index, len(forms) - 1)]


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)
