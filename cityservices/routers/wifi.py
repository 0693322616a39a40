"""Free city Wi-Fi: the nearest hotspots to a point."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cityservices.deps import SessionsDep
from cityservices.models import WifiHotspot
from cityservices.schemas import wifi as schema

router = APIRouter(prefix="/wifi/v1", tags=["wifi"])
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@router.get("/hotspots/nearest")
def nearest(
    sessions: SessionsDep,
    lat: Annotated[float, Query(ge=-90, le=90, examples=[55.7655])],
    lon: Annotated[float, Query(ge=-180, le=180, examples=[37.6050])],
    limit: Annotated[int, Query(ge=1, le=50)] = 3,
) -> schema.HotspotList:
    with sessions() as session:
        spots = session.execute(select(WifiHotspot)).scalars().all()
    ranked = sorted((haversine_m(lat, lon, h.lat, h.lon), h.id, h) for h in spots)[:limit]
    return schema.HotspotList(
        hotspots=[
            schema.Hotspot(
                id=h.id,
                name_ru=h.name_ru,
                name_en=h.name_en,
                ssid=h.ssid,
                lat=h.lat,
                lon=h.lon,
                distance_m=round(d),
            )
            for d, _, h in ranked
        ]
    )
