"""Traffic on named roads."""

from __future__ import annotations

from pydantic import Field

from cityservices.schemas.common import IsoTime, Out


class Road(Out):
    id: str = Field(examples=["tverskaya"])
    name_ru: str
    name_en: str
    level: int = Field(ge=0, le=10)
    description_ru: str
    description_en: str
    at: IsoTime


class RoadList(Out):
    roads: list[Road]
