"""FastAPI dependencies: settings, sessions, the clock, the API key and the patient token.
Tests override them through ``app.dependency_overrides``.

The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
thread pool, one hand-off per dependency per request; only those that read the database are
plain functions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cityservices.errors import ApiError
from cityservices.models import Patient, PatientToken
from cityservices.settings import CitySettings

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
bearer = HTTPBearer(auto_error=False)


async def get_settings(request: Request) -> CitySettings:
    settings = request.app.state.settings
    assert isinstance(settings, CitySettings)
    return settings


async def get_now() -> datetime:
    """The current time, aware UTC. Tests override this to freeze the clock."""
    return datetime.now(UTC)


async def get_tz(settings: Annotated[CitySettings, Depends(get_settings)]) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def resolve_at(at: datetime | None, now: datetime, tz: ZoneInfo) -> datetime:
    """``at`` (naive means local time) or now, as local time; 422 outside 2000-2100."""
    if at is None:
        return now.astimezone(tz)
    if not 2000 <= at.year <= 2100:
        raise ApiError(422, "invalid-date", "at must lie between 2000 and 2100")
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


async def get_sessions(request: Request) -> sessionmaker[Session]:
    """The session factory. Handlers open and close their sessions inside one call, so a
    connection is never held while the request waits for a worker thread."""
    factory = request.app.state.sessions
    assert isinstance(factory, sessionmaker)
    return factory


def client_of(settings: CitySettings, supplied: str) -> str | None:
    """The client whose key ``supplied`` is (a key per client: ``settings.client_keys()``), or
    None. Every key is compared, in constant time, so the answer's timing names no client."""
    given = hashlib.sha256(supplied.encode()).digest()
    found: str | None = None
    for name, key in settings.client_keys().items():
        if secrets.compare_digest(given, hashlib.sha256(key.encode()).digest()):
            found = name
    return found


def check_api_key(settings: CitySettings, supplied: str | None) -> str:
    """The calling client's name; 401 without a key or with one that names no client."""
    if not supplied:
        raise ApiError(401, "api-key-missing", "send the X-API-Key header")
    client = client_of(settings, supplied)
    if client is None:
        raise ApiError(401, "api-key-invalid", "the X-API-Key is not valid")
    return client


async def require_api_key(
    request: Request,
    settings: Annotated[CitySettings, Depends(get_settings)],
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> str:
    """Mutations and reads of personal data need ``X-API-Key``: the caller's name, also kept
    as ``request.state.city_client`` (for logs and per-client limits)."""
    client = check_api_key(settings, key)
    request.state.city_client = client
    return client


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_patient(
    client: Annotated[str, Depends(require_api_key)],
    sessions: Annotated[sessionmaker[Session], Depends(get_sessions)],
    now: Annotated[datetime, Depends(get_now)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Patient:
    """The patient behind ``Authorization: Bearer <token>``, asked for by a client with a key;
    401 when either is missing, the token expired or the key is unknown."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "token-missing", "send Authorization: Bearer <patient token>")
    with sessions() as session:
        row = session.execute(
            select(Patient)
            .join(PatientToken, PatientToken.patient_id == Patient.id)
            .where(
                PatientToken.token_hash == token_hash(credentials.credentials),
                PatientToken.expires_at > now,
            )
        ).scalar_one_or_none()
    if row is None:
        raise ApiError(401, "token-invalid", "the patient token is unknown or expired")
    return row


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
NowDep = Annotated[datetime, Depends(get_now)]
TzDep = Annotated[ZoneInfo, Depends(get_tz)]
SettingsDep = Annotated[CitySettings, Depends(get_settings)]
PatientDep = Annotated[Patient, Depends(current_patient)]
