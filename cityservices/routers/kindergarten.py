"""Kindergarten queue: an application by number."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from cityservices.deps import SessionsDep, TzDep
from cityservices.errors import ApiError
from cityservices.models import KindergartenApplication

router = APIRouter(prefix="/kindergarten/v1", tags=["kindergarten"])

STATUS_TEXT = {
    "in_queue": ("в очереди", "in the queue"),
    "offered": ("предложено место", "place offered"),
    "enrolled": ("зачислен", "enrolled"),
    "rejected": ("отказано", "rejected"),
}


@router.get("/applications/{number}")
def application(
    number: Annotated[str, Path(pattern=r"^[0-9]{5,12}$", examples=["4455123"])],
    sessions: SessionsDep,
    tz: TzDep,
) -> dict[str, Any]:
    with sessions() as session:
        app = session.get(KindergartenApplication, number)
    if app is None:
        raise ApiError(404, "application-not-found", f"there is no application {number}")
    status_ru, status_en = STATUS_TEXT.get(app.status, (app.status, app.status))
    gardens = [k for k in app.kindergartens.split(",") if k]
    return {
        "number": app.number,
        "status": app.status,
        "status_ru": status_ru,
        "status_en": status_en,
        "position": app.position,
        "total": app.total,
        "kindergartens": gardens,
        "kindergartens_detail": [
            {"number": k, "name_ru": f"Детский сад № {k}", "name_en": f"Kindergarten No. {k}"}
            for k in gardens
        ],
        "updated_at": app.updated_at.astimezone(tz).isoformat(),
    }
