"""Reminder calls the day before a visit: the visits due, a call's ticket, its outcome."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cityservices.schemas.common import IsoTime, Out
from cityservices.schemas.health import Appointment, IdentifiedPatient

# final: the patient decided; the others may be retried while attempts are left
Outcome = Literal["confirmed", "cancelled", "rescheduled", "no_decision", "no_answer", "failed"]
Reported = Literal["confirmed", "answered", "no_answer", "failed"]


class Reminder(Out):
    appointment_id: int
    reference: str = Field(examples=["A000042"])
    start: IsoTime
    specialty: str = Field(examples=["therapist"])
    clinic_ru: str
    clinic_en: str
    phone: str = Field(description="E.164 number to call (personal data: never logged)",
                       examples=["+74950000101"])
    lang: Literal["ru", "en"]
    attempts: int = Field(description="calls placed so far")
    last_attempt_at: IsoTime | None
    outcome: Outcome | None


class ReminderList(Out):
    reminders: list[Reminder] = Field(description="visits tomorrow (local time) still to remind")


class ReminderCall(Out):
    ticket: str = Field(description="the call's UUID (version 8), also its one-time proof for "
                        "the dialogue: redeemed once, then void")
    expires_at: IsoTime
    attempt: int


class RedeemedReminder(Out):
    token: str = Field(description="a patient bearer token, as after identification")
    lang: Literal["ru", "en"]
    patient: IdentifiedPatient
    appointment: Appointment


class ReminderState(Out):
    appointment_id: int
    status: Literal["booked", "cancelled", "done"]
    attempts: int
    last_attempt_at: IsoTime | None
    outcome: Outcome | None
