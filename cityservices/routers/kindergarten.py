"""Kindergarten queue: an application by number and the child's birth date (the second factor;
a number alone tells nothing)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from cityservices.db import write_session
from cityservices.deps import NowDep, SessionsDep, SettingsDep, TzDep, require_api_key
from cityservices.errors import ApiError
from cityservices.models import KindergartenApplication
from cityservices.schemas import kindergarten as schema
from cityservices.services import identity
from cityservices.services.callers import caller_of

router = APIRouter(prefix="/kindergarten/v1", tags=["kindergarten"])

STATUS_TEXT = {
    "in_queue": ("в очереди", "in the queue"),
    "offered": ("предложено место", "place offered"),
    "enrolled": ("зачислен", "enrolled"),
    "rejected": ("отказано", "rejected"),
}


class ApplicationIn(BaseModel):
    child_birth_date: date = Field(examples=["2021-06-01"], description="YYYY-MM-DD")


@router.post("/applications/{number}", dependencies=[Depends(require_api_key)])
def application(
    number: Annotated[str, Path(pattern=r"^[0-9]{5,12}$", examples=["4455123"])],
    body: ApplicationIn,
    request: Request,
    sessions: SessionsDep,
    settings: SettingsDep,
    now: NowDep,
    tz: TzDep,
) -> schema.KindergartenApplication:
    """The application's status; 404 application-not-found for an unknown number or another
    birth date (counted, with the per-caller back-off of identification)."""
    caller = caller_of(request, settings)
    with write_session(sessions) as session:
        keys = identity.guard(session, settings, f"kindergarten:{number}", caller, now)
        app = session.get(KindergartenApplication, number)
        if app is None or app.child_birth_date != body.child_birth_date:
            identity.record_failure(session, settings, keys, now)
            raise ApiError(404, "application-not-found",
                           "no application with this number and child's birth date")
    status_ru, status_en = STATUS_TEXT.get(app.status, (app.status, app.status))
    gardens = [k for k in app.kindergartens.split(",") if k]
    return schema.KindergartenApplication(
        number=app.number,
        status=app.status,
        status_ru=status_ru,
        status_en=status_en,
        position=app.position,
        total=app.total,
        kindergartens=gardens,
        kindergartens_detail=[
            schema.Kindergarten(
                number=k, name_ru=f"Детский сад № {k}", name_en=f"Kindergarten No. {k}"
            )
            for k in gardens
        ],
        updated_at=app.updated_at.astimezone(tz).isoformat(),
    )
