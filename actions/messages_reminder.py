"""Catalogue lines of the reminder call (merged into actions.messages.MESSAGES)."""

from __future__ import annotations

REMINDER_MESSAGES: dict[str, dict[str, str]] = {
    "intent_reminder_call": {"ru": "ответить на напоминание о приёме",
                             "en": "answer a visit reminder"},
    # "Напоминаем: завтра в 10:00 приём у терапевта, Городская поликлиника № 5."
    "reminder_call": {
        "ru": "Напоминаем: {day} в {time} приём у {specialty_of}, {clinic}. Подтвердите, "
              "отмените или перенесите. Нажмите 1, чтобы подтвердить, 2, чтобы отменить, 3, "
              "чтобы перенести.",
        "en": "This is a reminder: {day} at {time} you have a visit to the {specialty_of}, "
              "{clinic}. Please confirm, cancel or reschedule. Press 1 to confirm, 2 to cancel, "
              "3 to reschedule.",
    },
    "reminder_tomorrow": {"ru": "завтра", "en": "tomorrow"},
    "reminder_choice_format": {
        "ru": "Скажите «подтверждаю», «отменить» или «перенести», или нажмите 1, 2 или 3.",
        "en": "Say confirm, cancel or reschedule, or press 1, 2 or 3.",
    },
    "reminder_confirmed": {
        "ru": "Спасибо, визит подтверждён. Ждём вас {day} в {time}. До свидания!",
        "en": "Thank you, your visit is confirmed. See you {day} at {time}. Goodbye!",
    },
    "reminder_unavailable": {
        "ru": "Это напоминание больше не действует. Чтобы узнать свои записи, скажите "
              "«мои записи к врачу».",
        "en": "This reminder is no longer valid. To hear your appointments, say my "
              "appointments.",
    },
    "reminder_yes_no_keys": {
        "ru": "Нажмите 1, если да, или 2, если нет.",
        "en": "Press 1 for yes or 2 for no.",
    },
    "reminder_goodbye": {
        "ru": "Хорошо, запись остаётся в силе. До свидания!",
        "en": "All right, your visit stays booked. Goodbye!",
    },
}
