"""Health of the service: real tables of a database that is still the one opened at start."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import func, select

from cityservices.dbguard import problem
from cityservices.deps import SessionsDep
from cityservices.errors import ApiError
from cityservices.models import Patient, SeedInfo
from cityservices.schemas.meta import HealthStatus

router = APIRouter(tags=["meta"])


@router.get("/healthz")
def healthz(request: Request, sessions: SessionsDep) -> HealthStatus:
    """200 only when the database is there and holds its data; else 503, loudly."""
    why = problem(request.app)
    if why is not None:
        raise ApiError(503, "database-missing", why)
    with sessions() as session:
        seeded = session.execute(select(func.count(SeedInfo.id))).scalar_one()
        session.execute(select(Patient.id).limit(1)).all()
    if not seeded:
        raise ApiError(503, "database-empty", "the database holds no data (never seeded)")
    return HealthStatus(status="ok")
