"""Catalogue lines of conversation repair: changes said back, change of mind, help, insults."""

from __future__ import annotations

# "к кардиологу" / "a cardiologist": the specialty as said back after a change
SPECIALTY_TO: dict[str, dict[str, str]] = {
    "therapist": {"ru": "терапевту", "en": "a therapist"},
    "pediatrician": {"ru": "педиатру", "en": "a pediatrician"},
    "dentist": {"ru": "стоматологу", "en": "a dentist"},
    "ophthalmologist": {"ru": "офтальмологу", "en": "an ophthalmologist"},
    "otolaryngologist": {"ru": "лору", "en": "an ENT doctor"},
    "surgeon": {"ru": "хирургу", "en": "a surgeon"},
    "cardiologist": {"ru": "кардиологу", "en": "a cardiologist"},
    "neurologist": {"ru": "неврологу", "en": "a neurologist"},
    "dermatologist": {"ru": "дерматологу", "en": "a dermatologist"},
    "gynecologist": {"ru": "гинекологу", "en": "a gynecologist"},
}
# "на среду" (accusative after "на")
WEEKDAYS_ON = ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"]
WINDOW_NAMES: dict[str, dict[str, str]] = {
    "morning": {"ru": "утром", "en": "in the morning"},
    "midday": {"ru": "в обед", "en": "around lunchtime"},
    "afternoon": {"ru": "после обеда", "en": "in the afternoon"},
    "evening": {"ru": "вечером", "en": "in the evening"},
    "after": {"ru": "после {start}", "en": "after {start}"},
    "before": {"ru": "до {end}", "en": "before {end}"},
    "between": {"ru": "с {start} до {end}", "en": "between {start} and {end}"},
    "clock": {"ru": "ближе к {clock}", "en": "around {clock}"},
}

REPAIR_MESSAGES: dict[str, dict[str, str]] = {
    "changed_specialty": {"ru": "Хорошо, к {specialty}.", "en": "OK, {specialty}."},
    "changed_day": {"ru": "Хорошо, на {day}.", "en": "OK, {day}."},
    "changed_time": {"ru": "Хорошо, {time}.", "en": "OK, {time}."},
    "day_past": {
        "ru": "Этот день уже прошёл.", "en": "That day has already passed.",
    },
    "day_closed": {
        "ru": "В воскресенье поликлиники не работают. Ближайший день со свободным временем — "
              "{day}.",
        "en": "Clinics are closed on Sunday. The nearest day with free time is {day}.",
    },
    "day_full": {
        "ru": "На этот день свободного времени нет. Ближайший день со свободным временем — {day}.",
        "en": "There is no free time that day. The nearest day with free time is {day}.",
    },
    "no_earlier": {
        "ru": "Раньше свободного времени нет.", "en": "There is no earlier free time.",
    },
    "booking_dropped": {
        "ru": "Хорошо, не записываю. Чем ещё могу помочь?",
        "en": "OK, I won't book anything. What else can I do for you?",
    },
    "task_dropped": {
        "ru": "Хорошо, не буду. Чем ещё могу помочь?",
        "en": "OK, never mind. What else can I do for you?",
    },
    "dont_know_policy": {
        "ru": "Номер полиса ОМС — шестнадцать цифр на полисе или на пластиковой карте полиса. "
              "Его можно посмотреть в приложении Госуслуги, в приложении или на сайте mos.ru, "
              "а также в приложении ЕМИАС. Когда найдёте, назовите цифры. Или скажите "
              "«оператор», и я соединю вас со специалистом.",
        "en": "The health insurance policy number is the sixteen digits on your policy or on "
              "the policy card. You can also find it in the Gosuslugi app, in the mos.ru app "
              "or website, or in the EMIAS app. When you have it, say the digits. Or say "
              "operator, and I will connect you to a person.",
    },
    "insult": {
        "ru": "Понимаю, это неприятно. Давайте попробуем ещё раз, или скажите «оператор», и я "
              "соединю вас с человеком.",
        "en": "I understand this is frustrating. Let us try again, or say operator, and I will "
              "connect you to a person.",
    },
    "insult_idle": {
        "ru": "Понимаю, что вы недовольны. Соединить вас с оператором?",
        "en": "I understand you are not happy. Shall I connect you to an operator?",
    },
    "appointment_doctor": {"ru": "врач {doctor}", "en": "doctor {doctor}"},
    "say_yes_no": {
        "ru": "Скажите, пожалуйста, «да» или «нет».", "en": "Please say yes or no.",
    },
}
