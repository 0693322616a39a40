"""Health (doctor visits): slot search and FHIR-shaped Slot/Appointment documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from cityservices.models import Appointment, Clinic, District, Patient, Practitioner, Slot
from cityservices.text import match_score, query_stems

SlotRow = tuple[Slot, Clinic, District, Practitioner]
_DISTRICT_FILLER = {"район", "district", "округ", "districts"}


def slot_select() -> Select[Slot, Clinic, District, Practitioner]:
    return (
        select(Slot, Clinic, District, Practitioner)
        .join(Clinic, Clinic.id == Slot.clinic_id)
        .join(District, District.code == Clinic.district_code)
        .join(Practitioner, Practitioner.id == Slot.practitioner_id)
    )


def clinic_doc(clinic: Clinic, district: District) -> dict[str, Any]:
    return {
        "id": clinic.id,
        "name_ru": clinic.name_ru,
        "name_en": clinic.name_en,
        "district": district.name_en,
        "district_ru": district.name_ru,
        "address": clinic.address_en,
        "address_ru": clinic.address_ru,
        "lat": clinic.lat,
        "lon": clinic.lon,
    }


def slot_doc(row: SlotRow, tz: ZoneInfo) -> dict[str, Any]:
    slot, clinic, district, practitioner = row
    return {
        "resourceType": "Slot",
        "id": slot.id,
        "status": slot.status,
        "start": slot.start.astimezone(tz).isoformat(),
        "end": slot.end.astimezone(tz).isoformat(),
        "specialty": slot.specialty_code,
        "clinic": clinic_doc(clinic, district),
        "practitioner": {
            "id": practitioner.id,
            "name_ru": practitioner.name_ru,
            "name_en": practitioner.name_en,
        },
    }


def appointment_doc(
    appt: Appointment, row: SlotRow, patient: Patient, tz: ZoneInfo
) -> dict[str, Any]:
    slot, clinic, district, practitioner = row
    return {
        "resourceType": "Appointment",
        "id": appt.id,
        "reference": f"A{appt.id:06d}",
        "status": appt.status,
        "start": slot.start.astimezone(tz).isoformat(),
        "end": slot.end.astimezone(tz).isoformat(),
        "slot": [{"reference": f"Slot/{slot.id}"}],
        "serviceType": slot.specialty_code,
        "participant": [
            {
                "actor": {"reference": f"Patient/{patient.id}", "display": patient.name_en},
                "status": "accepted",
            },
            {
                "actor": {
                    "reference": f"Practitioner/{practitioner.id}",
                    "display": practitioner.name_en,
                    "display_ru": practitioner.name_ru,
                },
                "status": "accepted",
            },
        ],
        "practitioner": {
            "id": practitioner.id,
            "name_ru": practitioner.name_ru,
            "name_en": practitioner.name_en,
        },
        "clinic": clinic_doc(clinic, district),
        "created": appt.created_at.astimezone(tz).isoformat(),
    }


def district_codes(session: Session, query: str) -> list[str]:
    """District codes whose Russian or English name (or code) matches ``query``."""
    stems = [s for s in query_stems(query) if s not in _DISTRICT_FILLER]
    if not stems:
        return []
    found = []
    for d in session.execute(select(District)).scalars():
        if match_score(stems, d.name_ru, d.name_en, d.code) == len(stems):
            found.append(d.code)
    return found


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def search_slots(
    session: Session,
    *,
    specialty: str,
    date_from: date,
    date_to: date,
    now: datetime,
    tz: ZoneInfo,
    district: str | None = None,
    clinic_id: str | None = None,
    limit: int = 20,
) -> list[SlotRow]:
    """Free future slots of one specialty within [date_from, date_to] (local dates), by start."""
    stmt = slot_select().where(
        Slot.specialty_code == specialty,
        Slot.status == "free",
        Slot.start > now,
        Slot.start >= local_day_start(date_from, tz),
        Slot.start < local_day_start(date_to + timedelta(days=1), tz),
    )
    if district:
        codes = district_codes(session, district)
        if not codes:
            return []
        stmt = stmt.where(Clinic.district_code.in_(codes))
    if clinic_id:
        stmt = stmt.where(Slot.clinic_id == clinic_id)
    stmt = stmt.order_by(Slot.start, Slot.id).limit(limit)
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt).all()]


def alternatives(session: Session, slot: Slot, now: datetime, limit: int = 3) -> list[SlotRow]:
    """Free slots of the same specialty after the wanted one, its own clinic first."""
    stmt = (
        slot_select()
        .where(
            Slot.specialty_code == slot.specialty_code,
            Slot.status == "free",
            Slot.start > now,
            Slot.start >= slot.start,
            Slot.id != slot.id,
        )
        .order_by(case((Slot.clinic_id == slot.clinic_id, 0), else_=1), Slot.start, Slot.id)
        .limit(limit)
    )
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt).all()]


def slot_row(session: Session, slot_id: str) -> SlotRow | None:
    row = session.execute(slot_select().where(Slot.id == slot_id)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def upcoming_appointments(
    session: Session, patient: Patient, now: datetime
) -> Sequence[tuple[Appointment, SlotRow]]:
    stmt = (
        select(Appointment, Slot, Clinic, District, Practitioner)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Clinic, Clinic.id == Slot.clinic_id)
        .join(District, District.code == Clinic.district_code)
        .join(Practitioner, Practitioner.id == Slot.practitioner_id)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == "booked",
            Slot.end > now,
        )
        .order_by(Slot.start, Appointment.id)
    )
    return [(r[0], (r[1], r[2], r[3], r[4])) for r in session.execute(stmt).all()]
