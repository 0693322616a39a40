"""Troika transport cards: balance, last top-up, recent trips."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from cityservices.deps import SessionsDep, TzDep
from cityservices.errors import ApiError
from cityservices.models import TroikaCard, TroikaTrip

router = APIRouter(prefix="/troika/v1", tags=["troika"])


@router.get("/cards/{number}")
def card(
    number: Annotated[str, Path(pattern=r"^[0-9]{10}$", examples=["0123456789"])],
    sessions: SessionsDep,
    tz: TzDep,
    trips: Annotated[int, Query(ge=0, le=50, description="how many recent trips")] = 5,
) -> dict[str, Any]:
    with sessions() as session:
        found = session.get(TroikaCard, number)
        if found is None:
            raise ApiError(404, "card-not-found", f"there is no Troika card {number}")
        rows = session.execute(
            select(TroikaTrip)
            .where(TroikaTrip.card_number == number)
            .order_by(TroikaTrip.at.desc(), TroikaTrip.id.desc())
            .limit(trips)
        ).scalars()
        trip_docs = [
            {
                "at": t.at.astimezone(tz).isoformat(),
                "route": t.route,
                "route_en": t.route_en,
                "fare_rub": t.fare_kop / 100,
            }
            for t in rows
        ]
    return {
        "number": found.number,
        "balance_rub": found.balance_kop / 100,
        "last_topup_at": found.last_topup_at.astimezone(tz).isoformat()
        if found.last_topup_at
        else None,
        "trips": trip_docs,
    }
