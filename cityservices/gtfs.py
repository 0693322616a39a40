"""Load a GTFS static feed (stops, routes, trips, stop_times, calendar, calendar_dates,
frequencies, translations) into the transit tables."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete
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

log = logging.getLogger(__name__)
DEFAULT_FEED = Path(__file__).resolve().parent / "data" / "gtfs"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class FeedError(ValueError):
    """The feed is missing a file or has a malformed value."""


def rows(directory: Path, name: str, required: bool = True) -> Iterator[dict[str, str]]:
    path = directory / name
    if not path.is_file():
        if required:
            raise FeedError(f"GTFS feed {directory} has no {name}")
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def gtfs_seconds(value: str) -> int:
    """``"25:10:00"`` -> 90600: GTFS times count from the service day and may pass 24 h."""
    try:
        h, m, s = (int(p) for p in value.split(":"))
    except ValueError as exc:
        raise FeedError(f"bad GTFS time {value!r}") from exc
    return h * 3600 + m * 60 + s


def gtfs_date(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def _translations(directory: Path) -> dict[tuple[str, str, str], str]:
    """English translations keyed by (table, field, record_id or field_value)."""
    out = {}
    for r in rows(directory, "translations.txt", required=False):
        if r.get("language", "").lower().startswith("en"):
            key = r.get("record_id") or r.get("field_value") or ""
            out[(r["table_name"], r["field_name"], key)] = r["translation"]
    return out


def _load_static(session: Session, directory: Path, en: dict[tuple[str, str, str], str]) -> None:
    for r in rows(directory, "stops.txt"):
        name_en = en.get(("stops", "stop_name", r["stop_id"]), r["stop_name"])
        session.add(
            TransitStop(
                id=r["stop_id"],
                name_ru=r["stop_name"],
                name_en=name_en,
                lat=float(r["stop_lat"]),
                lon=float(r["stop_lon"]),
            )
        )
    for r in rows(directory, "routes.txt"):
        session.add(
            TransitRoute(
                id=r["route_id"],
                short_name=r.get("route_short_name", ""),
                long_name=r.get("route_long_name", ""),
                route_type=int(r["route_type"]),
            )
        )
    session.flush()  # parents before children: there are no ORM relationships
    for r in rows(directory, "trips.txt"):
        head = r.get("trip_headsign", "")
        session.add(
            TransitTrip(
                id=r["trip_id"],
                route_id=r["route_id"],
                service_id=r["service_id"],
                headsign_ru=head,
                headsign_en=en.get(("trips", "trip_headsign", r["trip_id"]))
                or en.get(("trips", "trip_headsign", head), head),
            )
        )
    session.flush()


def _load_times(session: Session, directory: Path) -> None:
    for r in rows(directory, "stop_times.txt"):
        session.add(
            TransitStopTime(
                trip_id=r["trip_id"],
                stop_sequence=int(r["stop_sequence"]),
                stop_id=r["stop_id"],
                arrival_s=gtfs_seconds(r.get("arrival_time") or r["departure_time"]),
            )
        )
    for r in rows(directory, "calendar.txt", required=False):
        session.add(
            TransitCalendar(
                service_id=r["service_id"],
                weekdays="".join("1" if r[d] == "1" else "0" for d in _DAYS),
                start_date=gtfs_date(r["start_date"]),
                end_date=gtfs_date(r["end_date"]),
            )
        )
    for r in rows(directory, "calendar_dates.txt", required=False):
        session.add(
            TransitCalendarDate(
                service_id=r["service_id"],
                date=gtfs_date(r["date"]),
                exception_type=int(r["exception_type"]),
            )
        )
    for r in rows(directory, "frequencies.txt", required=False):
        session.add(
            TransitFrequency(
                trip_id=r["trip_id"],
                start_s=gtfs_seconds(r["start_time"]),
                end_s=gtfs_seconds(r["end_time"]),
                headway_s=int(r["headway_secs"]),
            )
        )


def clear_feed(session: Session) -> None:
    for model in (
        TransitFrequency,
        TransitStopTime,
        TransitTrip,
        TransitRoute,
        TransitStop,
        TransitCalendarDate,
        TransitCalendar,
    ):
        session.execute(delete(model))


def load_feed(session: Session, directory: Path | None = None) -> None:
    """Replace the transit tables with the feed in ``directory`` (default: the bundled one)."""
    feed = directory or DEFAULT_FEED
    clear_feed(session)
    _load_static(session, feed, _translations(feed))
    _load_times(session, feed)
    session.flush()
    log.info("loaded GTFS feed from %s", feed)
