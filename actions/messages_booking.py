"""Catalogue lines of doctor booking and patient identification."""

from __future__ import annotations

SPECIALTY_NAMES: dict[str, dict[str, str]] = {
    "therapist": {"ru": "терапевт", "en": "therapist"},
    "pediatrician": {"ru": "педиатр", "en": "pediatrician"},
    "dentist": {"ru": "стоматолог", "en": "dentist"},
    "ophthalmologist": {"ru": "офтальмолог", "en": "ophthalmologist"},
    "otolaryngologist": {"ru": "лор", "en": "ENT doctor"},
    "surgeon": {"ru": "хирург", "en": "surgeon"},
    "cardiologist": {"ru": "кардиолог", "en": "cardiologist"},
    "neurologist": {"ru": "невролог", "en": "neurologist"},
    "dermatologist": {"ru": "дерматолог", "en": "dermatologist"},
    "gynecologist": {"ru": "гинеколог", "en": "gynecologist"},
}

BOOKING_MESSAGES: dict[str, dict[str, str]] = {
    "ask_specialty": {
        "ru": "К какому врачу вас записать? Например: терапевт, стоматолог, лор.",
        "en": "Which doctor do you need? For example: therapist, dentist, ENT doctor.",
    },
    "specialty_format": {
        "ru": "Назовите специальность врача одним словом: терапевт, педиатр, стоматолог, "
              "офтальмолог, лор, хирург, кардиолог, невролог, дерматолог или гинеколог.",
        "en": "Please name the doctor's specialty in one word: therapist, pediatrician, dentist, "
              "ophthalmologist, ENT, surgeon, cardiologist, neurologist, dermatologist or "
              "gynecologist.",
    },
    "ask_policy": {
        "ru": "Назовите шестнадцать цифр полиса ОМС.",
        "en": "Please say the sixteen digits of your health insurance policy.",
    },
    "policy_format": {
        "ru": "Номер полиса — шестнадцать цифр. Говорите группами по четыре, например: "
              "семь семь один два, три четыре пять шесть.",
        "en": "The policy number has sixteen digits. Say them in groups of four, for example: "
              "seven seven one two, three four five six.",
    },
    "policy_readback": {
        "ru": "Полис {digits}.", "en": "Policy {digits}.",
    },
    "policy_readback_kiosk": {
        "ru": "Полис, последние цифры {digits}.",
        "en": "Policy ending in {digits}.",
    },
    "ask_birth": {
        "ru": "Назовите дату рождения: число, месяц и год.",
        "en": "Please say your date of birth: day, month and year.",
    },
    "birth_format": {
        "ru": "Дату рождения скажите так: четырнадцатое марта тысяча девятьсот восемьдесят "
              "пятого года.",
        "en": "Say the date of birth like this: march fourteenth nineteen eighty five.",
    },
    "identified": {"ru": "Спасибо, {name}, вы опознаны.", "en": "Thank you, {name}, you are identified."},
    "not_identified": {
        "ru": "Пациент с таким полисом и датой рождения не найден. Давайте ещё раз.",
        "en": "No patient with this policy and birth date. Let us try again.",
    },
    "ask_date": {
        "ru": "На какой день? Например: завтра, в пятницу, двадцать пятого ноября.",
        "en": "For which day? For example: tomorrow, on friday, november twenty fifth.",
    },
    "date_format": {
        "ru": "Назовите день: сегодня, завтра, день недели или число и месяц.",
        "en": "Say a day: today, tomorrow, a weekday, or a month and day.",
    },
    "offer_slots": {
        "ru": "{specialty}: свободно {items}. Какое время выбираете? Можно сказать «позже» "
              "или «другой день».",
        "en": "{specialty}: free at {items}. Which one? You can also say later or another day.",
    },
    "slot_item": {"ru": "{n}) {when}", "en": "{n}) {when}"},
    "no_slots": {
        "ru": "На эти дни свободного времени у врача нет. Назовите другой день.",
        "en": "There is no free time for these days. Please name another day.",
    },
    "choice_format": {
        "ru": "Скажите номер варианта — первый, второй или третий, — или время, например "
              "«в десять тридцать». Можно сказать «позже» или «другой день».",
        "en": "Say the option number, first, second or third, or a time like ten thirty. "
              "You can also say later or another day.",
    },
    "readback": {
        "ru": "Записываю: {specialty}, {when}, {clinic}, врач {doctor}. Подтверждаете?",
        "en": "Booking: {specialty}, {when}, {clinic}, doctor {doctor}. Do you confirm?",
    },
    "confirm_format": {
        "ru": "Скажите «да», чтобы записаться, или «нет», чтобы выбрать другое время.",
        "en": "Say yes to book, or no to choose another time.",
    },
    "time_not_free": {
        "ru": "На {time} свободной записи нет. Вот ближайшее время после него.",
        "en": "{time} is not free. Here are the nearest times after it.",
    },
    "slot_taken": {
        "ru": "Это время только что заняли.", "en": "Sorry, this time was just taken.",
    },
    # EMIAS rules, checked by the city (409 specialty-already-booked / visit-overlaps /
    # slot-in-past)
    "already_booked_specialty": {
        "ru": "У вас уже есть запись: {specialty}. К одному специалисту можно записаться только "
              "один раз. Я могу перенести эту запись: скажите «перенести запись».",
        "en": "You already have a visit: {specialty}. You can hold only one visit per "
              "specialty. I can move that visit instead: say \"reschedule my appointment\".",
    },
    "visit_overlaps": {
        "ru": "В это время у вас уже есть другая запись. Выберите, пожалуйста, другое время.",
        "en": "You already have another visit at that time. Please choose another time.",
    },
    "slot_in_past": {
        "ru": "Это время уже прошло. Выберите, пожалуйста, другое время.",
        "en": "That time has already passed. Please choose another time.",
    },
    "booked": {
        "ru": "Готово! Вы записаны: {specialty}, {when}, {clinic}. Номер записи {reference}.",
        "en": "Done! You are booked: {specialty}, {when}, {clinic}. Reference {reference}.",
    },
    "booking_details": {
        "ru": "Запись {reference}\n{specialty}: {doctor}\n{when}\n{clinic}, {address}",
        "en": "Booking {reference}\n{specialty}: {doctor}\n{when}\n{clinic}, {address}",
    },
    "booking_aborted": {
        "ru": "Запись не состоялась. Чем ещё могу помочь?",
        "en": "Nothing was booked. What else can I do for you?",
    },
}

WEEKDAYS = {
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}
