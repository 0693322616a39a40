"""Held-out NLU utterances, written apart from nlu/data, as Vosk writes them (words, no digits)."""

from __future__ import annotations

HELDOUT: dict[str, list[tuple[str, str]]] = {
    "ru": [
        ("добрый день", "greet"), ("здравствуйте скажите пожалуйста", "greet"),
        ("спасибо до свидания", "goodbye"), ("да верно", "affirm"), ("нет не надо", "deny"),
        ("спасибо вам большое", "thank"), ("что вы умеете", "help"),
        ("повторите пожалуйста ещё раз", "repeat"), ("соедините меня с оператором", "human_handoff"),
        ("стоп хватит", "stop"), ("как сварить суп", "out_of_scope"),
        ("хочу записаться к стоматологу", "book_appointment"),
        ("запишите к окулисту на пятницу", "book_appointment"),
        ("отмените мою запись к врачу", "cancel_appointment"),
        ("какие у меня есть записи", "list_appointments"),
        ("хочу перенести приём на другой день", "reschedule_appointment"),
        ("какая очередь в детский сад", "kindergarten_queue_status"),
        ("сколько денег на карте тройка", "troika_balance"),
        ("когда придёт трамвай три", "transport_arrivals"),
        ("пробки на тверской", "traffic_status"), ("где тут вайфай", "wifi_nearby"),
        ("на дороге большая яма", "report_problem"),
        ("какой статус у заявки тысяча два", "request_status"),
        ("к хирургу", "inform"), ("послезавтра", "inform"),
    ],
    "en": [
        ("good morning", "greet"), ("bye for now", "goodbye"), ("yes correct", "affirm"),
        ("no thank you", "deny"), ("thanks so much", "thank"), ("what can you help with", "help"),
        ("can you say that again", "repeat"), ("i want an operator", "human_handoff"),
        ("stop please", "stop"), ("how tall is everest", "out_of_scope"),
        ("book an appointment with a surgeon", "book_appointment"),
        ("i want to see an eye doctor on friday", "book_appointment"),
        ("cancel my doctor appointment", "cancel_appointment"),
        ("what appointments do i have", "list_appointments"),
        ("move my appointment to monday", "reschedule_appointment"),
        ("check my kindergarten queue position", "kindergarten_queue_status"),
        ("how much is on my troika", "troika_balance"), ("when does bus one hundred forty four come", "transport_arrivals"),
        ("is there traffic on the garden ring", "traffic_status"), ("free wifi near me", "wifi_nearby"),
        ("report a broken street light", "report_problem"),
        ("what is the status of request one thousand one", "request_status"),
        ("a dermatologist", "inform"), ("tomorrow", "inform"),
    ],
}
