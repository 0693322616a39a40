"""Atomic booking, cancelling and rescheduling.

Each slot is claimed with one conditional ``UPDATE slots SET status='busy' WHERE id=:id AND
status='free' AND start > :now`` and the row count decides: 1 means this request won the slot, 0
means somebody else has it (or it is in the past). There is no read-then-write window, so the rule
holds on SQLite (writes serialised by BEGIN IMMEDIATE) and on PostgreSQL (the second UPDATE waits
for the first one's row lock, then re-checks the WHERE clause and matches nothing).

EMIAS rules, per patient: at most one active visit per specialty (409
``specialty-already-booked`` with ``existing_appointment_id``), never two visits that overlap (409
``visit-overlaps``), never a visit in the past (409 ``slot-in-past``). They are checked inside the
write transaction after the patient's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite's BEGIN IMMEDIATE already serialises writers), and the partial unique index
``ux_appointments_active_specialty`` (status 'booked') is the backstop. Visits that are over are
marked 'done' in the same transaction, so they never count as active.

Every mutation stores its result under its ``Idempotency-Key`` and honours the client's deadline
before it commits (``services/idempotency.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
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
from cityservices.services.idempotency import Mutation, check_deadline, remember

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


def _lock_patient(session: Session, patient: Patient, now: datetime) -> None:
    """Serialise this patient's bookings (PostgreSQL row lock) and retire visits that are over."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Patient.id).where(Patient.id == patient.id).with_for_update())
    over = select(Slot.id).where(Slot.end <= now)
    session.execute(
        update(Appointment)
        .where(Appointment.patient_id == patient.id, Appointment.status == "booked",
               Appointment.slot_id.in_(over))
        .values(status="done", updated_at=now)
    )


def _check_rules(session: Session, patient: Patient, slot_id: str, now: datetime,
                 tz: ZoneInfo) -> Slot:
    """The wanted slot, if the EMIAS rules let this patient book it; else the 404/409."""
    slot = session.get(Slot, slot_id)
    if slot is None or slot.start <= now:
        raise _unavailable(session, slot_id, now, tz)
    active = (
        select(Appointment.id, Appointment.specialty_code, Slot.start, Slot.end)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.patient_id == patient.id, Appointment.status == "booked")
        .order_by(Appointment.id)
    )
    for appt_id, specialty, start, end in session.execute(active).all():
        if specialty == slot.specialty_code:
            raise ApiError(409, "specialty-already-booked",
                           "the patient already has an active visit to this specialty",
                           existing_appointment_id=appt_id)
        if start < slot.end and slot.start < end:
            raise ApiError(409, "visit-overlaps",
                           "the patient has another visit at this time",
                           existing_appointment_id=appt_id)
    return slot


def _insert(session: Session, patient: Patient, slot: Slot, now: datetime) -> Appointment:
    appt = Appointment(patient_id=patient.id, slot_id=slot.id, specialty_code=slot.specialty_code,
                       status="booked", created_at=now, updated_at=now)
    session.add(appt)
    try:
        session.flush()
    except IntegrityError:  # the partial unique index: a concurrent visit to this specialty
        raise ApiError(409, "specialty-already-booked",
                       "the patient already has an active visit to this specialty") from None
    return appt


def _commit(session: Session, m: Mutation | None, status: int, doc: dict[str, Any],
            now: datetime) -> None:
    if m is not None:
        check_deadline(m)
        remember(session, m, status, doc, now)
    session.commit()


def book(
    session: Session, patient: Patient, slot_id: str, now: datetime, tz: ZoneInfo,
    m: Mutation | None = None,
) -> dict[str, Any]:
    """Book ``slot_id`` for ``patient``; the session must be a write session."""
    try:
        _lock_patient(session, patient, now)
        slot = _check_rules(session, patient, slot_id, now, tz)
        if not _claim(session, slot_id, now):
            raise _unavailable(session, slot_id, now, tz)
        appt = _insert(session, patient, slot, now)
        doc = appointment_doc(appt, _load(session, appt), patient, tz)
        _commit(session, m, 201, doc, now)
    except BaseException:
        session.rollback()
        raise
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
    session: Session, patient: Patient, appt_id: int, now: datetime, tz: ZoneInfo,
    m: Mutation | None = None,
) -> dict[str, Any]:
    """Cancel an appointment and free its slot."""
    try:
        appt = _release_own(session, patient, appt_id, now)
        doc = appointment_doc(appt, _load(session, appt), patient, tz)
        _commit(session, m, 200, doc, now)
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
    m: Mutation | None = None,
) -> dict[str, Any]:
    """Move an appointment to ``slot_id`` in one transaction: the old slot is released only if
    the new one was claimed; otherwise everything rolls back and the old appointment stays."""
    try:
        _lock_patient(session, patient, now)
        old = _release_own(session, patient, appt_id, now)
        slot = _check_rules(session, patient, slot_id, now, tz)  # the old visit is released
        if not _claim(session, slot_id, now):
            raise _unavailable(session, slot_id, now, tz)  # rolled back: the old visit stays
        new = _insert(session, patient, slot, now)
        doc = appointment_doc(new, _load(session, new), patient, tz)
        doc["replaces"] = {"reference": f"Appointment/{old.id}"}
        _commit(session, m, 200, doc, now)
    except BaseException:
        session.rollback()
        raise
    log.info("rescheduled appointment %s -> %s patient %s", appt_id, new.id, patient.id)
    return doc
