"""Kindergarten queue."""

from __future__ import annotations

from pydantic import Field

from cityservices.schemas.common import IsoTime, Out


class Kindergarten(Out):
    number: str = Field(examples=["1520"])
    name_ru: str
    name_en: str


class KindergartenApplication(Out):
    number: str = Field(examples=["4455123"])
    status: str = Field(description="in_queue, offered, enrolled or rejected")
    status_ru: str
    status_en: str
    position: int | None = Field(description="null when not queued")
    total: int
    kindergartens: list[str] = Field(examples=[["1520"]])
    kindergartens_detail: list[Kindergarten]
    updated_at: IsoTime
