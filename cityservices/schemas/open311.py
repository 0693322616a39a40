"""City problem reports, Open311 GeoReport v2: every answer is a JSON array."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cityservices.schemas.common import IsoTime, Latitude, Longitude, Out


class Service(Out):
    service_code: str = Field(examples=["streetlight"])
    service_name: str
    service_name_ru: str
    description: str
    description_ru: str
    metadata: Literal[False]
    type: Literal["realtime"]
    keywords: str = Field(description="comma-separated, Russian")
    group: str


class ServiceRequestCreated(Out):
    service_request_id: str = Field(examples=["1003"])
    service_notice: str
    account_id: str | None


class ServiceRequest(Out):
    service_request_id: str = Field(examples=["1001"])
    status: Literal["open", "closed"]
    status_notes: str
    status_notes_ru: str
    service_name: str
    service_name_ru: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str | None
    requested_datetime: IsoTime
    updated_datetime: IsoTime
    expected_datetime: IsoTime | None
    address: str
    address_ru: str
    address_id: str | None
    zipcode: str | None
    lat: Latitude | None
    long: Longitude | None
    media_url: str | None
