"""Free city Wi-Fi."""

from __future__ import annotations

from pydantic import Field

from cityservices.schemas.common import Latitude, Longitude, Out


class Hotspot(Out):
    id: str = Field(examples=["wifi-pushkinskaya"])
    name_ru: str
    name_en: str
    ssid: str
    lat: Latitude
    lon: Longitude
    distance_m: int = Field(ge=0)


class HotspotList(Out):
    hotspots: list[Hotspot] = Field(description="nearest first")
