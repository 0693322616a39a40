"""Health (doctor visits, like EMIAS): specialties, identification, slots, appointments."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from cityservices.db import write_session
from cityservices.deps import (
    NowDep,
    PatientDep,
    SessionsDep,
    SettingsDep,
    TzDep,
    require_api_key,
)
from cityservices.errors import ApiError
from cityservices.models import Specialty
from cityservices.schemas import health as schema
from cityservices.services import booking, health, identity
from cityservices.services.callers import caller_of
from cityservices.services.idempotency import KEY_PATTERN, Mutation, mutation, replay

router = APIRouter(prefix="/health/v1", tags=["health"])
Mutating = [Depends(require_api_key)]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIN_DATE, _MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
AppointmentId = Annotated[int, Path(ge=1, le=2_147_483_647)]
IdempotencyKeyHeader = Annotated[str | None, Header(
    alias="Idempotency-Key", pattern=KEY_PATTERN,
    description="the same key again returns the first result (docs/city-api.md)")]
DeadlineHeader = Annotated[str | None, Header(
    alias="X-Request-Deadline", max_length=40,
    description="ISO 8601 UTC time after which nothing is committed")]


def _mutation(request: Request, patient_id: str, key: str | None, deadline: str | None,
              body: dict[str, Any] | None = None) -> Mutation:
    client = str(getattr(request.state, "city_client", ""))
    return mutation(client, key, deadline, method=request.method, path=request.url.path,
                    patient_id=patient_id, body=body)


class SpecialtyCode(StrEnum):
    therapist = "therapist"
    pediatrician = "pediatrician"
    dentist = "dentist"
    ophthalmologist = "ophthalmologist"
    otolaryngologist = "otolaryngologist"
    surgeon = "surgeon"
    cardiologist = "cardiologist"
    neurologist = "neurologist"
    dermatologist = "dermatologist"
    gynecologist = "gynecologist"


class IdentifyIn(BaseModel):
    policy_number: str = Field(pattern=r"^[0-9]{16}$", examples=["7712345678901234"])
    birth_date: date = Field(examples=["1985-03-14"])

    @field_validator("birth_date", mode="before")
    @classmethod
    def _iso_only(cls, value: Any) -> Any:
        if isinstance(value, str) and _ISO_DATE.match(value):
            return value
        raise ValueError("birth_date must be a date written YYYY-MM-DD")


class SlotIn(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)
    slot_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,32}$", examples=["c01-ther-20251201-0800"])


@router.get("/specialties")
def specialties(sessions: SessionsDep) -> list[schema.Specialty]:
    with sessions() as session:
        rows = session.execute(select(Specialty).order_by(Specialty.code)).scalars().all()
    return [schema.Specialty(code=s.code, name_ru=s.name_ru, name_en=s.name_en) for s in rows]


@router.post("/patients/identify", dependencies=Mutating)
def identify_patient(
    body: IdentifyIn, request: Request, sessions: SessionsDep, settings: SettingsDep, now: NowDep
) -> schema.Identification:
    client = caller_of(request, settings)
    with sessions() as session:  # all callers' failures on this policy slow it, never block it
        delay = identity.policy_delay(session, settings, body.policy_number, now)
    if delay > 0:
        time.sleep(delay)  # a worker thread, holding no connection
    with write_session(sessions) as session:
        doc = identity.identify(
            session,
            settings,
            policy_number=body.policy_number,
            birth_date=body.birth_date,
            client=client,
            now=now,
        )
    return schema.Identification.model_validate(doc)


@router.get("/slots")
def slots(
    sessions: SessionsDep,
    now: NowDep,
    tz: TzDep,
    specialty: SpecialtyCode,
    date_from: Annotated[date | None, Query(description="YYYY-MM-DD, default today")] = None,
    date_to: Annotated[date | None, Query(description="YYYY-MM-DD, default +13 days")] = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    clinic_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> schema.SlotList:
    today = now.astimezone(tz).date()
    start = date_from or today
    end = date_to or min(max(start, today) + timedelta(days=13), _MAX_DATE)
    if not (_MIN_DATE <= start <= _MAX_DATE and _MIN_DATE <= end <= _MAX_DATE):
        raise ApiError(422, "invalid-date", "dates must lie between 2000-01-01 and 2100-12-31")
    if end < start:
        raise ApiError(422, "invalid-date-range", "date_to is before date_from")
    with sessions() as session:
        rows = health.search_slots(
            session,
            specialty=specialty.value,
            date_from=start,
            date_to=end,
            now=now,
            tz=tz,
            district=district,
            clinic_id=clinic_id,
            limit=limit,
        )
        return schema.SlotList.model_validate({"slots": [health.slot_doc(r, tz) for r in rows]})


@router.post("/appointments", status_code=201, dependencies=Mutating)
def book(
    body: SlotIn, request: Request, patient: PatientDep, sessions: SessionsDep, now: NowDep,
    tz: TzDep, key: IdempotencyKeyHeader = None, deadline: DeadlineHeader = None,
) -> schema.Appointment:
    m = _mutation(request, patient.id, key, deadline, body.model_dump())
    with write_session(sessions) as session:
        stored = replay(session, m)
        doc = stored[1] if stored else booking.book(session, patient, body.slot_id, now, tz, m)
    return schema.Appointment.model_validate(doc)


@router.get("/appointments")
def list_appointments(
    patient: PatientDep, sessions: SessionsDep, now: NowDep, tz: TzDep
) -> schema.AppointmentList:
    with sessions() as session:
        rows = health.upcoming_appointments(session, patient, now)
        docs = [health.appointment_doc(a, r, patient, tz) for a, r in rows]
    return schema.AppointmentList.model_validate({"appointments": docs})


@router.delete("/appointments/{appointment_id}", dependencies=Mutating)
def cancel(
    appointment_id: AppointmentId,
    request: Request,
    patient: PatientDep,
    sessions: SessionsDep,
    now: NowDep,
    tz: TzDep,
    key: IdempotencyKeyHeader = None,
    deadline: DeadlineHeader = None,
) -> schema.Appointment:
    m = _mutation(request, patient.id, key, deadline)
    with write_session(sessions) as session:
        stored = replay(session, m)
        doc = stored[1] if stored else booking.cancel(session, patient, appointment_id, now, tz,
                                                      m)
    return schema.Appointment.model_validate(doc)


@router.post("/appointments/{appointment_id}/reschedule", dependencies=Mutating)
def reschedule(
    appointment_id: AppointmentId,
    body: SlotIn,
    request: Request,
    patient: PatientDep,
    sessions: SessionsDep,
    now: NowDep,
    tz: TzDep,
    key: IdempotencyKeyHeader = None,
    deadline: DeadlineHeader = None,
) -> schema.RescheduledAppointment:
    m = _mutation(request, patient.id, key, deadline, body.model_dump())
    with write_session(sessions) as session:
        stored = replay(session, m)
        doc = stored[1] if stored else booking.reschedule(
            session, patient, appointment_id, body.slot_id, now, tz, m)
    return schema.RescheduledAppointment.model_validate(doc)
