"""Atomic booking, cancelling and rescheduling.

Each slot is claimed with one conditional ``UPDATE slots SET status='busy' WHERE id=:id AND
status='free' AND start > :now`` and the row count decides: 1 means this request won the slot, 0
means somebody else has it (or it is in the past). There is no read-then-write window, so the rule
holds on SQLite (writes serialised by BEGIN IMMEDIATE) and on PostgreSQL (the second UPDATE waits
for the first one's row lock, then re-checks the WHERE clause and matches nothing).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from cityservices.errors import ApiError
from cityservices.models import Appointment, Patient, Slot
from cityservices.services.health import (
    SlotRow,
    alternatives,
    appointment_doc,
    slot_doc,
    slot_row,
)

log = logging.getLogger(__name__)


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _claim(session: Session, slot_id: str, now: datetime) -> bool:
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == "free", Slot.start > now)
        .values(status="busy")
    )
    return _rowcount(result) == 1


def _unavailable(session: Session, slot_id: str, now: datetime, tz: ZoneInfo) -> ApiError:
    """The error for a slot we could not claim: 404 unknown, 409 in the past or taken."""
    row = slot_row(session, slot_id)
    if row is None:
        return ApiError(404, "slot-not-found", f"there is no slot {slot_id!r}")
    slot = row[0]
    alts = [slot_doc(r, tz) for r in alternatives(session, slot, now)]
    if slot.start <= now:
        return ApiError(409, "slot-in-past", "this slot has already started", alternatives=alts)
    return ApiError(409, "slot-taken", "this slot has just been taken", alternatives=alts)


def _load(session: Session, appt: Appointment) -> SlotRow:
    row = slot_row(session, appt.slot_id)
    assert row is not None
    return row


def book(
    session: Session, patient: Patient, slot_id: str, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """Book ``slot_id`` for ``patient``; the session must be a write session."""
    if not _claim(session, slot_id, now):
        session.rollback()
        raise _unavailable(session, slot_id, now, tz)
    appt = Appointment(
        patient_id=patient.id, slot_id=slot_id, status="booked", created_at=now, updated_at=now
    )
    session.add(appt)
    session.flush()
    doc = appointment_doc(appt, _load(session, appt), patient, tz)
    session.commit()
    log.info("booked appointment %s slot %s patient %s", appt.id, slot_id, patient.id)
    return doc


def _release_own(session: Session, patient: Patient, appt_id: int, now: datetime) -> Appointment:
    """Mark the patient's booked, upcoming appointment cancelled and free its slot, atomically."""
    appt = session.get(Appointment, appt_id)
    if appt is None or appt.patient_id != patient.id:
        raise ApiError(404, "appointment-not-found", f"there is no appointment {appt_id}")
    result = session.execute(
        update(Appointment)
        .where(Appointment.id == appt_id, Appointment.status == "booked")
        .values(status="cancelled", updated_at=now)
    )
    if _rowcount(result) != 1:
        raise ApiError(409, "appointment-not-active", "this appointment is already cancelled")
    slot = session.get(Slot, appt.slot_id)
    assert slot is not None
    if slot.end <= now:
        raise ApiError(409, "appointment-in-past", "this appointment is already over")
    session.execute(update(Slot).where(Slot.id == appt.slot_id).values(status="free"))
    session.refresh(appt)
    return appt


def cancel(
    session: Session, patient: Patient, appt_id: int, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """Cancel an appointment and free its slot."""
    try:
        appt = _release_own(session, patient, appt_id, now)
        doc = appointment_doc(appt, _load(session, appt), patient, tz)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("cancelled appointment %s patient %s", appt_id, patient.id)
    return doc


def reschedule(
    session: Session,
    patient: Patient,
    appt_id: int,
    slot_id: str,
    now: datetime,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """Move an appointment to ``slot_id`` in one transaction: the old slot is released only if
    the new one was claimed; otherwise everything rolls back and the old appointment stays."""
    try:
        old = _release_own(session, patient, appt_id, now)
        if not _claim(session, slot_id, now):
            session.rollback()  # the old appointment and its slot stay as they were
            raise _unavailable(session, slot_id, now, tz)
        new = Appointment(
            patient_id=patient.id, slot_id=slot_id, status="booked", created_at=now, updated_at=now
        )
        session.add(new)
        session.flush()
        doc = appointment_doc(new, _load(session, new), patient, tz)
        doc["replaces"] = {"reference": f"Appointment/{old.id}"}
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("rescheduled appointment %s -> %s patient %s", appt_id, new.id, patient.id)
    return doc
