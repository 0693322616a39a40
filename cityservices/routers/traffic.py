"""Traffic on named roads (see services.traffic for the formula)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cityservices.deps import NowDep, SessionsDep, TzDep, resolve_at
from cityservices.models import Road
from cityservices.schemas import traffic as schema
from cityservices.services import traffic
from cityservices.text import match_score, query_stems

router = APIRouter(prefix="/traffic/v1", tags=["traffic"])


@router.get("/roads")
def roads(
    sessions: SessionsDep,
    now: NowDep,
    tz: TzDep,
    q: Annotated[str | None, Query(max_length=200, description="road name, ru or en")] = None,
    at: Annotated[datetime | None, Query(description="ISO time, default now")] = None,
) -> schema.RoadList:
    local = resolve_at(at, now, tz)
    with sessions() as session:
        rows = session.execute(select(Road).order_by(Road.id)).scalars().all()
    stems = query_stems(q) if q else []
    if stems:
        rows = [r for r in rows if match_score(stems, r.name_ru, r.name_en) == len(stems)]
    docs = []
    for road in rows:
        value = traffic.level(local, road.weight, road.phase_min)
        ru, en = traffic.describe(value)
        docs.append(
            schema.Road(
                id=road.id,
                name_ru=road.name_ru,
                name_en=road.name_en,
                level=value,
                description_ru=ru,
                description_en=en,
                at=local.isoformat(),
            )
        )
    return schema.RoadList(roads=docs)
