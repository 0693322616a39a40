"""Troika transport cards."""

from __future__ import annotations

from pydantic import Field

from cityservices.schemas.common import IsoTime, Out


class TroikaTrip(Out):
    at: IsoTime
    route: str = Field(examples=["Автобус 144"])
    route_en: str = Field(examples=["Bus 144"])
    fare_rub: float


class TroikaCard(Out):
    number: str = Field(examples=["0123456789"])
    balance_rub: float
    last_topup_at: IsoTime | None
    trips: list[TroikaTrip] = Field(
        description="always empty: the trip history needs a second factor (POST .../trips)")


class TroikaTrips(Out):
    number: str = Field(examples=["0123456789"])
    trips: list[TroikaTrip] = Field(description="newest first")
