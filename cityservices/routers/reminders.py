"""Reminder calls (services/reminders.py): internal routes, each behind a client's X-API-Key
like every other route that reads personal data (deps.require_api_key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from cityservices.db import write_session
from cityservices.deps import NowDep, SessionsDep, SettingsDep, TzDep, require_api_key
from cityservices.schemas import reminders as schema
from cityservices.services import reminders

router = APIRouter(prefix="/health/v1/reminders", tags=["reminders"],
                   dependencies=[Depends(require_api_key)])
AppointmentId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class RedeemIn(BaseModel):
    ticket: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")


class OutcomeIn(BaseModel):
    outcome: schema.Reported = Field(
        description="confirmed (said by the patient), answered (the call ended after the "
                    "patient picked up: the visit's state decides), no_answer, failed")


@router.get("/due")
def due(
    sessions: SessionsDep, now: NowDep, tz: TzDep,
    max_attempts: Annotated[int, Query(ge=1, le=10)] = 3,
    retry_after_s: Annotated[int, Query(ge=0, le=86_400)] = 3600,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> schema.ReminderList:
    with sessions() as session:
        found = reminders.due(session, now, tz, max_attempts=max_attempts,
                              retry_after_s=retry_after_s, limit=limit)
    return schema.ReminderList.model_validate({"reminders": found})


@router.post("/{appointment_id}/calls", status_code=201)
def start_call(appointment_id: AppointmentId, sessions: SessionsDep, now: NowDep,
               tz: TzDep) -> schema.ReminderCall:
    with write_session(sessions) as session:
        return schema.ReminderCall.model_validate(
            reminders.start(session, appointment_id, now, tz))


@router.post("/redeem")
def redeem(body: RedeemIn, sessions: SessionsDep, settings: SettingsDep, now: NowDep,
           tz: TzDep) -> schema.RedeemedReminder:
    with write_session(sessions) as session:
        return schema.RedeemedReminder.model_validate(
            reminders.redeem(session, settings, body.ticket, now, tz))


@router.post("/{appointment_id}/outcome")
def record_outcome(appointment_id: AppointmentId, body: OutcomeIn, sessions: SessionsDep,
                   now: NowDep, tz: TzDep) -> schema.ReminderState:
    with write_session(sessions) as session:
        return schema.ReminderState.model_validate(
            reminders.record(session, appointment_id, body.outcome, now, tz))


@router.get("/{appointment_id}")
def reminder_state(appointment_id: AppointmentId, sessions: SessionsDep,
                   tz: TzDep) -> schema.ReminderState:
    """A visit's reminder bookkeeping: calls placed, the last one's time, the outcome."""
    with sessions() as session:
        return schema.ReminderState.model_validate(
            reminders.state(reminders.appointment(session, appointment_id), tz))
