"""Transit: stop search and next arrivals computed from the GTFS tables and the clock."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityservices.models import (
    TransitCalendar,
    TransitCalendarDate,
    TransitFrequency,
    TransitRoute,
    TransitStop,
    TransitStopTime,
    TransitTrip,
)
from cityservices.text import match_score, query_stems, words

ROUTE_TYPES = {0: "tram", 3: "bus", 11: "trolleybus", 1: "metro"}


@dataclass(frozen=True)
class Arrival:
    at: datetime
    route: str
    route_type: str
    headsign_ru: str
    headsign_en: str


def route_type_name(code: int) -> str:
    return ROUTE_TYPES.get(code, "bus")


def stop_routes(session: Session) -> dict[str, list[dict[str, str]]]:
    """stop_id -> routes that board there, as ``{"route", "route_type"}``."""
    stmt = (
        select(TransitStopTime.stop_id, TransitRoute.short_name, TransitRoute.route_type)
        .join(TransitTrip, TransitTrip.id == TransitStopTime.trip_id)
        .join(TransitRoute, TransitRoute.id == TransitTrip.route_id)
        .distinct()
    )
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for stop_id, short, rtype in sorted(session.execute(stmt).all(), key=_route_order):
        out[stop_id].append({"route": short, "route_type": route_type_name(rtype)})
    return out


def _route_order(row: Any) -> tuple[str, bool, int, str]:
    """Plain numbers first, in numeric order, then lettered routes (night buses, ...)."""
    stop_id, short, rtype = row
    digits = "".join(c for c in short if c.isdigit())
    return stop_id, not short.isdigit(), int(digits) if digits else 0, f"{rtype}{short}"


def stop_doc(stop: TransitStop, routes: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    return {
        "id": stop.id,
        "name_ru": stop.name_ru,
        "name_en": stop.name_en,
        "lat": stop.lat,
        "lon": stop.lon,
        "routes": routes.get(stop.id, []),
    }


def search_stops(session: Session, query: str, limit: int = 10) -> list[TransitStop]:
    """Stops whose name matches every word of ``query`` (case and inflection tolerant);
    when none matches all, the best partial matches. Exact names come first."""
    stems = query_stems(query)
    if not stems:
        return []
    stops = session.execute(select(TransitStop)).scalars().all()
    wanted = " ".join(words(query))
    scored = []
    for stop in stops:
        score = match_score(stems, stop.name_ru, stop.name_en)
        exact = wanted in (" ".join(words(stop.name_ru)), " ".join(words(stop.name_en)))
        if score:
            scored.append((not exact, -score, stop.name_ru, stop))
    scored.sort(key=lambda t: t[:3])
    full = [t[3] for t in scored if -t[1] == len(stems)]
    return (full or [t[3] for t in scored])[:limit]


def _active_services(session: Session, day: date) -> set[str]:
    active = {
        c.service_id
        for c in session.execute(select(TransitCalendar)).scalars()
        if c.start_date <= day <= c.end_date and c.weekdays[day.weekday()] == "1"
    }
    for ex in session.execute(select(TransitCalendarDate).where(TransitCalendarDate.date == day)):
        exc = ex[0]
        if exc.exception_type == 1:
            active.add(exc.service_id)
        elif exc.exception_type == 2:
            active.discard(exc.service_id)
    return active


def _stop_trips(session: Session, stop_id: str, route: str | None) -> list[Any]:
    first = (
        select(
            TransitStopTime.trip_id,
            func.min(TransitStopTime.arrival_s).label("first_s"),
            func.max(TransitStopTime.stop_sequence).label("last_seq"),
        )
        .group_by(TransitStopTime.trip_id)
        .subquery()
    )
    stmt = (
        select(TransitStopTime, TransitTrip, TransitRoute, first.c.first_s)
        .join(TransitTrip, TransitTrip.id == TransitStopTime.trip_id)
        .join(TransitRoute, TransitRoute.id == TransitTrip.route_id)
        .join(first, first.c.trip_id == TransitStopTime.trip_id)
        .where(TransitStopTime.stop_id == stop_id, TransitStopTime.stop_sequence < first.c.last_seq)
    )
    found: list[Any] = list(session.execute(stmt).all())
    if route:
        wanted = route.strip().lower()
        found = [r for r in found if r[2].short_name.lower() == wanted]
    return found


def _times_for(
    stop_time: TransitStopTime,
    first_s: int,
    freqs: list[TransitFrequency],
    after_s: int,
    cap: int,
) -> list[int]:
    """Arrival seconds (of the service day) at or after ``after_s``; at most ``cap``."""
    if not freqs:
        return [stop_time.arrival_s] if stop_time.arrival_s >= after_s else []
    offset = stop_time.arrival_s - first_s
    out: list[int] = []
    for f in freqs:
        k = max(0, math.ceil((after_s - offset - f.start_s) / f.headway_s))
        dep = f.start_s + k * f.headway_s
        while dep < f.end_s and len(out) < cap:
            out.append(dep + offset)
            dep += f.headway_s
    return out


def next_arrivals(
    session: Session, stop_id: str, now: datetime, tz: ZoneInfo, route: str | None, limit: int
) -> list[Arrival]:
    """The next ``limit`` arrivals at a stop, looking at yesterday's, today's and tomorrow's
    service days (GTFS times past 24:00 belong to the previous day's service; late at night the
    next departure is tomorrow morning's first)."""
    trips = _stop_trips(session, stop_id, route)
    trip_ids = [r[1].id for r in trips]
    freqs: dict[str, list[TransitFrequency]] = defaultdict(list)
    if trip_ids:
        stmt = select(TransitFrequency).where(TransitFrequency.trip_id.in_(trip_ids))
        for f in session.execute(stmt).scalars():
            freqs[f.trip_id].append(f)
    local = now.astimezone(tz)
    found: list[Arrival] = []
    for day in (local.date() + timedelta(days=shift) for shift in (-1, 0, 1)):
        midnight = datetime.combine(day, time(0, 0), tzinfo=tz)
        after_s = max(0, math.ceil((local - midnight).total_seconds()))
        services = _active_services(session, day)
        for stop_time, trip, rt, first_s in trips:
            if trip.service_id not in services:
                continue
            for secs in _times_for(stop_time, first_s, freqs[trip.id], after_s, limit):
                found.append(
                    Arrival(
                        at=midnight + timedelta(seconds=secs),
                        route=rt.short_name,
                        route_type=route_type_name(rt.route_type),
                        headsign_ru=trip.headsign_ru,
                        headsign_en=trip.headsign_en,
                    )
                )
    found.sort(key=lambda a: (a.at, a.route, a.headsign_ru))
    return found[:limit]
