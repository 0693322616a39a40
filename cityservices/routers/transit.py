"""Transit (GTFS): stop search and next arrivals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from cityservices.deps import NowDep, SessionsDep, TzDep, resolve_at
from cityservices.errors import ApiError
from cityservices.models import TransitStop
from cityservices.schemas import transit as schema
from cityservices.services import transit

router = APIRouter(prefix="/transit/v1", tags=["transit"])


@router.get("/stops")
def stops(
    sessions: SessionsDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["пушкинской площади"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> schema.StopList:
    with sessions() as session:
        found = transit.search_stops(session, q, limit)
        routes = transit.stop_routes(session) if found else {}
    return schema.StopList.model_validate({"stops": [transit.stop_doc(s, routes) for s in found]})


@router.get("/stops/{stop_id}/arrivals")
def arrivals(
    stop_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$", examples=["pushkinskaya"])],
    sessions: SessionsDep,
    now: NowDep,
    tz: TzDep,
    route: Annotated[str | None, Query(max_length=16, examples=["144"])] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    at: Annotated[datetime | None, Query(description="ISO time, default now")] = None,
) -> schema.StopArrivals:
    local = resolve_at(at, now, tz)
    with sessions() as session:
        stop = session.get(TransitStop, stop_id)
        if stop is None:
            raise ApiError(404, "stop-not-found", f"there is no stop {stop_id!r}")
        found = transit.next_arrivals(session, stop_id, local, tz, route, limit)
        doc = transit.stop_doc(stop, transit.stop_routes(session))
    return schema.StopArrivals(
        stop=schema.Stop.model_validate(doc),
        arrivals=[
            schema.Arrival(
                route=a.route,
                route_type=a.route_type,
                headsign=a.headsign_ru,
                headsign_en=a.headsign_en,
                arrival_time=a.at.isoformat(),
                minutes=max(0, int((a.at - local).total_seconds() // 60)),
            )
            for a in found
        ],
        at=local.isoformat(),
    )
