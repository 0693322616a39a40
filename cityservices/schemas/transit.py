"""Transit (GTFS): stops and arrivals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cityservices.schemas.common import IsoTime, Latitude, Longitude, Out

RouteType = Literal["tram", "bus", "trolleybus", "metro"]


class RouteRef(Out):
    route: str = Field(examples=["144"])
    route_type: RouteType


class Stop(Out):
    id: str = Field(examples=["pushkinskaya"])
    name_ru: str
    name_en: str
    lat: Latitude
    lon: Longitude
    routes: list[RouteRef]


class StopList(Out):
    stops: list[Stop]


class Arrival(Out):
    route: str = Field(examples=["144"])
    route_type: RouteType
    headsign: str = Field(description="Russian")
    headsign_en: str
    arrival_time: IsoTime
    minutes: int = Field(ge=0, description="whole minutes from `at`")


class StopArrivals(Out):
    stop: Stop
    arrivals: list[Arrival]
    at: IsoTime
