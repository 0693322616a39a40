"""Reminder calls the day before a visit (like Moscow's own phone robot).

`assistant reminders run` asks for the visits due (`due`): tomorrow in local time, still booked,
with a phone number, no final outcome yet, fewer calls than its limit and the last one long
enough ago. Before each call it takes a one-time ticket (`start`, counting the attempt), which
is the call's UUID: Asterisk hands it to the gateway's AudioSocket server, the gateway passes it
to the dialogue, and the action server redeems it (`redeem`) for a patient token and the visit.
The ticket proves the call was placed by the reminder service, so no caller can open someone
else's visit. The outcome (`record`) is stored on the visit: what the
patient decided, or why no one decided.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cityservices.deps import token_hash
from cityservices.errors import ApiError
from cityservices.models import (
    Appointment,
    Clinic,
    District,
    Patient,
    PatientToken,
    Practitioner,
    Slot,
)
from cityservices.services.health import appointment_doc, local_day_start
from cityservices.settings import CitySettings
from cityservices.text import mask

log = logging.getLogger(__name__)

TICKET_TTL_S = 900  # a call is answered and its first turn sent well within this
FINAL = frozenset({"confirmed", "cancelled", "rescheduled"})


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(f"reminder\n{ticket}".encode()).hexdigest()


def call_ticket() -> str:
    """A new call's UUID, which is its ticket too: 122 random bits in a version-8 UUID (RFC 9562
    "custom"; Asterisk's `UUID()`, which names the hotline's incoming calls, makes version 4).
    The gateway opens an AudioSocket call whose UUID is version 8 with the reminder; the UUID is
    worth nothing once redeemed, so it may then appear in logs as every call's UUID does."""
    value = int.from_bytes(secrets.token_bytes(16), "big")
    value = (value & ~(0xF << 76)) | (0x8 << 76)  # version 8
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC variant
    return str(uuid.UUID(int=value))


def _iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


def due(session: Session, now: datetime, tz: ZoneInfo, *, max_attempts: int,
        retry_after_s: int, limit: int = 200) -> list[dict[str, Any]]:
    """The visits to remind of now, earliest first."""
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    start, end = local_day_start(tomorrow, tz), local_day_start(tomorrow + timedelta(1), tz)
    retry_before = now - timedelta(seconds=retry_after_s)
    rows = session.execute(
        select(Appointment, Slot, Clinic, Patient)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Clinic, Clinic.id == Slot.clinic_id)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(Appointment.status == "booked", Slot.start >= start, Slot.start < end,
               Patient.phone.is_not(None), Appointment.reminder_attempts < max_attempts,
               (Appointment.reminder_outcome.is_(None))
               | Appointment.reminder_outcome.not_in(FINAL),
               (Appointment.reminder_last_at.is_(None))
               | (Appointment.reminder_last_at <= retry_before))
        .order_by(Slot.start, Appointment.id)
        .limit(limit)
    ).all()
    return [{
        "appointment_id": a.id, "reference": f"A{a.id:06d}",
        "start": slot.start.astimezone(tz).isoformat(), "specialty": slot.specialty_code,
        "clinic_ru": clinic.name_ru, "clinic_en": clinic.name_en, "phone": patient.phone,
        "lang": patient.lang if patient.lang in ("ru", "en") else "ru",
        "attempts": a.reminder_attempts, "last_attempt_at": _iso(a.reminder_last_at, tz),
        "outcome": a.reminder_outcome,
    } for a, slot, clinic, patient in rows]


def appointment(session: Session, appointment_id: int) -> Appointment:
    appt = session.get(Appointment, appointment_id)
    if appt is None:
        raise ApiError(404, "appointment-not-found", "no such appointment")
    return appt


def start(session: Session, appointment_id: int, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """A call is about to be placed: count it and issue its one-time ticket (the call's
    UUID)."""
    appt = appointment(session, appointment_id)
    if appt.status != "booked":
        raise ApiError(409, "appointment-not-booked", "the visit is no longer booked")
    ticket = call_ticket()
    expires = now + timedelta(seconds=TICKET_TTL_S)
    appt.reminder_attempts += 1
    appt.reminder_last_at = now
    appt.reminder_ticket_hash = _ticket_hash(ticket)
    appt.reminder_ticket_expires_at = expires
    session.commit()
    log.info("reminder call %d for appointment %s", appt.reminder_attempts, appt.id)
    return {"ticket": ticket, "expires_at": expires.astimezone(tz).isoformat(),
            "attempt": appt.reminder_attempts}


def redeem(session: Session, settings: CitySettings, ticket: str, now: datetime,
           tz: ZoneInfo) -> dict[str, Any]:
    """The ticket, once: a patient token and the visit; 404 for a spent, old or unknown one."""
    appt = session.execute(
        select(Appointment).where(Appointment.reminder_ticket_hash == _ticket_hash(ticket))
    ).scalar_one_or_none()
    expires = appt.reminder_ticket_expires_at if appt else None
    if appt is None or expires is None or expires <= now or appt.status != "booked":
        raise ApiError(404, "reminder-not-found", "no reminder call with this ticket")
    spent = session.execute(  # one redemption even when two arrive at once
        update(Appointment).where(Appointment.id == appt.id,
                                  Appointment.reminder_ticket_hash == _ticket_hash(ticket))
        .values(reminder_ticket_hash=None, reminder_ticket_expires_at=None)
    )
    if int(getattr(spent, "rowcount", 0)) != 1:
        raise ApiError(404, "reminder-not-found", "no reminder call with this ticket")
    patient = session.get(Patient, appt.patient_id)
    slot = session.get(Slot, appt.slot_id)
    assert patient is not None and slot is not None
    clinic = session.get(Clinic, slot.clinic_id)
    district = session.get(District, clinic.district_code) if clinic else None
    practitioner = session.get(Practitioner, slot.practitioner_id)
    assert clinic is not None and district is not None and practitioner is not None
    token = secrets.token_urlsafe(32)
    session.add(PatientToken(token_hash=token_hash(token), patient_id=patient.id,
                             expires_at=now + timedelta(seconds=settings.token_ttl_s)))
    doc = appointment_doc(appt, (slot, clinic, district, practitioner), patient, tz)
    session.commit()
    log.info("reminder ticket redeemed for appointment %s (phone %s)", appt.id,
             mask(patient.phone or ""))
    return {"token": token, "lang": patient.lang if patient.lang in ("ru", "en") else "ru",
            "patient": {"id": patient.id, "name_ru": patient.name_ru,
                        "name_en": patient.name_en, "district": district.name_en,
                        "district_ru": district.name_ru},
            "appointment": doc}


def _moved(session: Session, appt: Appointment) -> bool:
    """Was the cancelled visit moved (a visit of the same patient and specialty booked in the
    same transaction or later), rather than only cancelled?"""
    return session.execute(
        select(Appointment.id).where(
            Appointment.patient_id == appt.patient_id,
            Appointment.specialty_code == appt.specialty_code,
            Appointment.id > appt.id, Appointment.created_at >= appt.updated_at)
        .limit(1)
    ).first() is not None


def record(session: Session, appointment_id: int, reported: str, now: datetime,
           tz: ZoneInfo) -> dict[str, Any]:
    """Store a call's outcome. "answered" (the call ended after the patient picked up) reads
    the visit: cancelled, rescheduled, or no decision. A final outcome is never overwritten."""
    appt = appointment(session, appointment_id)
    if appt.reminder_outcome not in FINAL:
        if appt.status == "cancelled":
            outcome = "rescheduled" if _moved(session, appt) else "cancelled"
        elif reported == "confirmed" and appt.status != "booked":
            raise ApiError(409, "appointment-not-booked", "the visit is no longer booked")
        else:
            outcome = "no_decision" if reported == "answered" else reported
        appt.reminder_outcome = outcome
        appt.reminder_ticket_hash = None
        appt.reminder_ticket_expires_at = None
        session.commit()
        log.info("reminder outcome of appointment %s: %s", appt.id, outcome)
    return state(appt, tz)


def state(appt: Appointment, tz: ZoneInfo) -> dict[str, Any]:
    return {"appointment_id": appt.id, "status": appt.status,
            "attempts": appt.reminder_attempts, "last_attempt_at": _iso(appt.reminder_last_at, tz),
            "outcome": appt.reminder_outcome}
