"""Troika transport cards: the balance by card number (as in the city's own apps); the trip
history only with a second factor, the last four digits of the owner's registered phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from cityservices.db import write_session
from cityservices.deps import NowDep, SessionsDep, SettingsDep, TzDep, require_api_key
from cityservices.errors import ApiError
from cityservices.models import TroikaCard, TroikaTrip
from cityservices.schemas import troika as schema
from cityservices.services import identity
from cityservices.services.callers import caller_of

router = APIRouter(prefix="/troika/v1", tags=["troika"])
CardNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", examples=["0123456789"])]


class TripsIn(BaseModel):
    phone_last4: str = Field(pattern=r"^[0-9]{4}$", examples=["4567"],
                             description="the last four digits of the owner's registered phone")


@router.get("/cards/{number}")
def card(number: CardNumber, sessions: SessionsDep, tz: TzDep) -> schema.TroikaCard:
    """Balance and last top-up; ``trips`` is always empty here (POST .../trips)."""
    with sessions() as session:
        found = session.get(TroikaCard, number)
    if found is None:
        raise ApiError(404, "card-not-found", f"there is no Troika card {number}")
    topup = found.last_topup_at
    return schema.TroikaCard(
        number=found.number,
        balance_rub=found.balance_kop / 100,
        last_topup_at=topup.astimezone(tz).isoformat() if topup else None,
        trips=[],
    )


@router.post("/cards/{number}/trips", dependencies=[Depends(require_api_key)])
def trips(
    number: CardNumber,
    body: TripsIn,
    request: Request,
    sessions: SessionsDep,
    settings: SettingsDep,
    now: NowDep,
    tz: TzDep,
    limit: Annotated[int, Query(ge=0, le=50, description="how many recent trips")] = 5,
) -> schema.TroikaTrips:
    """Recent trips, newest first; 404 card-not-found for an unknown card or a wrong factor
    (counted, with the per-caller back-off of identification)."""
    caller = caller_of(request, settings)
    with write_session(sessions) as session:
        keys = identity.guard(session, settings, f"troika:{number}", caller, now)
        found = session.get(TroikaCard, number)
        if found is None or found.phone_last4 is None or found.phone_last4 != body.phone_last4:
            identity.record_failure(session, settings, keys, now)
            raise ApiError(404, "card-not-found",
                           "no Troika card with this number and phone digits")
        rows = session.execute(
            select(TroikaTrip)
            .where(TroikaTrip.card_number == number)
            .order_by(TroikaTrip.at.desc(), TroikaTrip.id.desc())
            .limit(limit)
        ).scalars()
        docs = [
            schema.TroikaTrip(at=t.at.astimezone(tz).isoformat(), route=t.route,
                              route_en=t.route_en, fare_rub=t.fare_kop / 100)
            for t in rows
        ]
    return schema.TroikaTrips(number=number, trips=docs)
