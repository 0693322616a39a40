"""How slots and appointments are spoken: dates, times, specialties, clinics."""

from __future__ import annotations

from datetime import datetime

from actions.city_client import Appointment, TimeSlot
from actions.messages_booking import MONTHS, SPECIALTY_NAMES, WEEKDAYS


def when_text(iso: str, lang: str) -> str:
    """'2026-11-26T10:30:00+03:00' -> 'четверг, 26 ноября, 10:30'."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{moment.day} {MONTHS[lang][moment.month - 1]}" if lang == "ru" else (
        f"{MONTHS[lang][moment.month - 1]} {moment.day}")
    return f"{WEEKDAYS[lang][moment.weekday()]}, {day}, {moment:%H:%M}"


def time_text(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%H:%M}"
    except ValueError:
        return iso


def specialty_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return SPECIALTY_NAMES.get(code, {}).get(lang, code)


def clinic_name(slot: TimeSlot | Appointment, lang: str) -> str:
    clinic = slot.clinic
    if clinic is None:
        return ""
    return (clinic.name_ru if lang == "ru" else clinic.name_en) or clinic.name_ru


def doctor_name(slot: TimeSlot | Appointment, lang: str) -> str:
    doc = slot.practitioner
    if doc is None:
        return ""
    return (doc.name_ru if lang == "ru" else doc.name_en) or doc.name_ru
