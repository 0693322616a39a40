"""Which of the patient's appointments the caller means: by description ("к терапевту", "the
one on friday", "тот, что в 10 утра") or by its number in a list that tells them apart."""

from __future__ import annotations

from actions import clock
from actions.booking_extract import Details, read_details
from actions.city_client import Appointment
from actions.health_text import clinic_name, doctor_name, specialty_name, when_text
from actions.messages import say


def _fits(appt: Appointment, details: Details, with_time: bool) -> list[bool | None]:
    """For each detail said: whether `appt` fits it (None when the detail was not said)."""
    checks: list[bool | None] = [
        None if details.specialty is None else appt.service_type == details.specialty,
        None if details.not_specialty is None else appt.service_type != details.not_specialty,
    ]
    if with_time:
        checks += [
            None if details.day is None else appt.start[:10] == details.day.day.isoformat(),
            None if details.clock is None else appt.start[11:16] == str(details.clock),
        ]
    return checks


def _narrowed(appts: list[Appointment], details: Details, with_time: bool) -> list[Appointment]:
    """The appointments that fit what was said; a detail nothing fits is not used."""
    for index in range(4 if with_time else 2):
        if _fits(appts[0], details, with_time)[index] is None if appts else True:
            continue
        kept = [a for a in appts if _fits(a, details, with_time)[index]]
        appts = kept or appts
    return appts


def described(appts: list[Appointment], texts: list[tuple[str, bool]],
              lang: str) -> list[Appointment]:
    """`texts`: (what was said, whether its day and time describe the appointment). In a
    reschedule request the day is the new day ("перенесите к терапевту на пятницу"), so only its
    specialty describes the visit; in the answer to "which one?" everything does."""
    today = clock.today()
    for text, with_time in texts:
        if text:
            appts = _narrowed(appts, read_details(text, lang, today, None), with_time)
    return appts


def option_number(answer: str, lang: str, count: int) -> int | None:
    """"2", "второй", "the second one": a number in the list; a day or a clock time is not."""
    details = read_details(answer, lang, clock.today(), None)
    if details.day is not None or details.clock is not None:
        return None
    digits = [int(w) for w in answer.split() if w.isdigit()]
    return digits[0] if len(digits) == 1 and 1 <= digits[0] <= count else None


def item(n: int, appt: Appointment, lang: str) -> str:
    """"1) терапевт, вторник, 24 ноября, 08:00, Поликлиника 1, врач Анна Смирнова"."""
    line = say("appointment_item", lang, n=n, specialty=specialty_name(appt.service_type, lang),
               when=when_text(appt.start, lang))
    clinic = clinic_name(appt, lang)
    doctor = doctor_name(appt, lang)
    extra = [clinic] if clinic else []
    if doctor:
        extra.append(say("appointment_doctor", lang, doctor=doctor))
    return ", ".join([line, *extra])
