"""City problem reports, Open311 GeoReport v2. POST accepts form-encoded or JSON bodies, and the
API key as the ``X-API-Key`` header or as Open311's ``api_key`` field."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select

from cityservices.db import write_session
from cityservices.deps import NowDep, SessionsDep, SettingsDep, TzDep, api_key_header, check_api_key
from cityservices.errors import ApiError
from cityservices.models import Open311Service, ServiceRequest
from cityservices.schemas import open311 as schema

log = logging.getLogger(__name__)
router = APIRouter(prefix="/open311/v2", tags=["open311"])
MAX_BODY = 64 * 1024


class ServiceRequestIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    service_code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$", examples=["streetlight"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=400)
    description: str = Field(default="", max_length=4000)
    api_key: str | None = Field(default=None, max_length=200)

    @field_validator("address_string", "description", "api_key")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        """No NUL characters or lone surrogates: PostgreSQL text cannot hold them."""
        if value is None:
            return None
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("text must be valid UTF-8") from exc
        return value


_BODY_SCHEMA = ServiceRequestIn.model_json_schema()
_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": _BODY_SCHEMA},
            "application/json": {"schema": _BODY_SCHEMA},
        },
    }
}


def service_doc(s: Open311Service) -> schema.Service:
    return schema.Service(
        service_code=s.code,
        service_name=s.name_en,
        service_name_ru=s.name_ru,
        description=s.description_en,
        description_ru=s.description_ru,
        metadata=False,
        type="realtime",
        keywords=s.keywords,
        group=s.group,
    )


@router.get("/services.json")
def services(sessions: SessionsDep) -> list[schema.Service]:
    with sessions() as session:
        rows = session.execute(select(Open311Service).order_by(Open311Service.code)).scalars()
        return [service_doc(s) for s in rows]


async def _parse(request: Request) -> ServiceRequestIn:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "payload-too-large", "the request body is larger than 64 KiB")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any
    try:
        if ctype == "application/json":
            data = json.loads(raw or b"null")
        elif ctype in ("application/x-www-form-urlencoded", ""):
            data = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=False))
        else:
            raise ApiError(415, "unsupported-media-type", "send form-encoded or JSON data")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "malformed-body", "the body is not valid JSON or form data") from exc
    if not isinstance(data, dict):
        raise ApiError(422, "malformed-body", "the body must be an object or form fields")
    try:
        return ServiceRequestIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from exc


def request_doc(r: ServiceRequest, s: Open311Service, tz: Any) -> schema.ServiceRequest:
    return schema.ServiceRequest(
        service_request_id=str(r.id),
        status=r.status,
        status_notes=r.status_notes_en,
        status_notes_ru=r.status_notes_ru,
        service_name=s.name_en,
        service_name_ru=s.name_ru,
        service_code=s.code,
        description=r.description,
        agency_responsible="Moscow city services (demo)",
        service_notice=None,
        requested_datetime=r.requested_at.astimezone(tz).isoformat(),
        updated_datetime=r.updated_at.astimezone(tz).isoformat(),
        expected_datetime=None,
        address=r.address_en,
        address_ru=r.address_ru,
        address_id=None,
        zipcode=None,
        lat=r.lat,
        long=r.lon,
        media_url=None,
    )


@router.post("/requests.json", openapi_extra=_OPENAPI_BODY)
async def create_request(
    request: Request,
    sessions: SessionsDep,
    settings: SettingsDep,
    now: NowDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> list[schema.ServiceRequestCreated]:
    """Open311 POST Service Request; answers ``[{"service_request_id", ...}]``."""
    body = await _parse(request)
    check_api_key(settings, key or body.api_key)
    if (body.lat is None) != (body.long is None):
        raise ApiError(422, "location-incomplete", "send both lat and long, or neither")
    if body.lat is None and not (body.address_string or "").strip():
        raise ApiError(422, "location-required", "send lat/long or address_string")
    return _store(sessions, body, now)


def _store(sessions: Any, body: ServiceRequestIn, now: Any) -> list[schema.ServiceRequestCreated]:
    with write_session(sessions) as session:
        service = session.get(Open311Service, body.service_code)
        if service is None:
            raise ApiError(
                422, "unknown-service-code", f"there is no service {body.service_code!r}"
            )
        address = (body.address_string or "").strip() or f"{body.lat:.5f}, {body.long:.5f}"
        row = ServiceRequest(
            service_code=service.code,
            status="open",
            status_notes_ru="Заявка принята",
            status_notes_en="Request received",
            description=body.description,
            lat=body.lat,
            lon=body.long,
            address_ru=address,
            address_en=address,
            requested_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        new_id = row.id
    log.info("new service request %s (%s)", new_id, body.service_code)
    notice = "Your report has been registered"
    return [
        schema.ServiceRequestCreated(
            service_request_id=str(new_id), service_notice=notice, account_id=None
        )
    ]


LIST_LIMIT = 1000
DEFAULT_WINDOW = timedelta(days=90)
_IDS = r"^[0-9]{1,9}(,[0-9]{1,9}){0,99}$"
_CODES = r"^[A-Za-z0-9_-]{1,32}(,[A-Za-z0-9_-]{1,32}){0,49}$"


@router.get("/requests.json")
def list_requests(
    sessions: SessionsDep,
    tz: TzDep,
    now: NowDep,
    service_request_id: Annotated[str | None, Query(pattern=_IDS, examples=["1001,1002"])] = None,
    service_code: Annotated[str | None, Query(pattern=_CODES, examples=["streetlight"])] = None,
    status: Annotated[str | None, Query(pattern=r"^(open|closed)(,(open|closed))?$")] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
) -> list[schema.ServiceRequest]:
    """Open311 GET Service Requests: newest first, at most 1000. Without ids or dates, the last
    90 days. `service_request_id`, `service_code` and `status` take comma-separated lists."""
    start, end = _aware(start_date, tz), _aware(end_date, tz)
    if start is not None and end is not None and start > end:
        raise ApiError(422, "invalid-date-range", "start_date is after end_date")
    query = select(ServiceRequest, Open311Service).join(Open311Service)
    if service_request_id:
        query = query.where(ServiceRequest.id.in_(int(i) for i in service_request_id.split(",")))
    elif start is None and end is None:
        start = now - DEFAULT_WINDOW
    if service_code:
        query = query.where(ServiceRequest.service_code.in_(service_code.split(",")))
    if status:
        query = query.where(ServiceRequest.status.in_(status.split(",")))
    if start is not None:
        query = query.where(ServiceRequest.requested_at >= start)
    if end is not None:
        query = query.where(ServiceRequest.requested_at <= end)
    query = query.order_by(ServiceRequest.requested_at.desc(), ServiceRequest.id.desc())
    with sessions() as session:
        rows = session.execute(query.limit(LIST_LIMIT)).all()
        return [request_doc(r, s, tz) for r, s in rows]


def _aware(value: datetime | None, tz: Any) -> datetime | None:
    """Open311 dates are ISO 8601; one without a zone is city time. Stored times are UTC."""
    if value is None:
        return None
    try:
        return (value if value.tzinfo is not None else value.replace(tzinfo=tz)).astimezone(UTC)
    except OverflowError as exc:
        raise ApiError(422, "invalid-date", f"{value.isoformat()} is out of range") from exc


@router.get("/requests/{request_id}.json")
def get_request(
    request_id: Annotated[str, Path(pattern=r"^[0-9]{1,9}$", examples=["1001"])],
    sessions: SessionsDep,
    tz: TzDep,
) -> list[schema.ServiceRequest]:
    with sessions() as session:
        row = session.get(ServiceRequest, int(request_id))
        service = session.get(Open311Service, row.service_code) if row else None
    if row is None or service is None:
        raise ApiError(404, "request-not-found", f"there is no service request {request_id}")
    return [request_doc(row, service, tz)]
