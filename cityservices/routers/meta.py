"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from cityservices.deps import SessionsDep

router = APIRouter(tags=["meta"])


@router.get("/healthz")
def healthz(sessions: SessionsDep) -> dict[str, str]:
    with sessions() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}
