"""Idempotent mutations: ``Idempotency-Key`` -> the stored result, and the client's deadline.

A booking, cancellation or reschedule may carry ``Idempotency-Key``. Its result is stored in
``idempotency_keys`` in the same transaction as the change itself, so a retry with the same key
(the action server retries after a timeout, to learn the truth) gets the same answer and changes
nothing; the same key with another request (method, path, patient or body) is refused with 422
``idempotency-key-reused``. Failures are not stored: they changed nothing, so a retry may try again.

``X-Request-Deadline`` (ISO 8601, UTC): the moment after which the client has stopped waiting
and may tell the caller that it failed. A request still running then commits nothing (503
``deadline-exceeded``), so nothing is booked after the caller was told it failed. The processes
share a clock (one machine, or NTP).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from cityservices.errors import ApiError
from cityservices.models import IdempotencyKey

KEY_PATTERN = r"^[A-Za-z0-9_.:-]{8,128}$"
KEEP = timedelta(days=2)


@dataclass(frozen=True)
class Mutation:
    """One mutating request: its key (None without the header), fingerprint and deadline."""

    key: str | None
    fingerprint: str
    deadline: datetime | None


def mutation(
    client: str, key: str | None, deadline: str | None, *, method: str, path: str,
    patient_id: str, body: dict[str, Any] | None = None,
) -> Mutation:
    stored_key = None
    if key:
        stored_key = hashlib.sha256(f"{client}\n{key}".encode()).hexdigest()
    request = json.dumps([method, path, patient_id, body or {}], sort_keys=True)
    return Mutation(stored_key, hashlib.sha256(request.encode()).hexdigest(),
                    parse_deadline(deadline))


def parse_deadline(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, "invalid-deadline",
                       "X-Request-Deadline must be an ISO 8601 time with its zone") from None
    if at.tzinfo is None:
        raise ApiError(422, "invalid-deadline", "X-Request-Deadline needs a zone (e.g. Z)")
    return at


def check_deadline(m: Mutation) -> None:
    """Raise 503 deadline-exceeded once the client's deadline has passed (the real clock)."""
    if m.deadline is not None and datetime.now(UTC) >= m.deadline:
        raise ApiError(503, "deadline-exceeded",
                       "the client stopped waiting for this request; nothing was changed")


def replay(session: Session, m: Mutation) -> tuple[int, dict[str, Any]] | None:
    """The stored (status, body) of this key, or None (first use). Serialises requests with the
    same key: SQLite's BEGIN IMMEDIATE already does; PostgreSQL takes an advisory lock."""
    if m.key is None:
        return None
    if session.get_bind().dialect.name == "postgresql":
        lock = int(m.key[:15], 16)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    row = session.execute(select(IdempotencyKey).where(IdempotencyKey.key == m.key)).scalar()
    if row is None:
        return None
    if row.request_hash != m.fingerprint:
        raise ApiError(422, "idempotency-key-reused",
                       "this Idempotency-Key was used for another request")
    body = json.loads(row.body)
    assert isinstance(body, dict)
    return row.status, body


def remember(session: Session, m: Mutation, status: int, body: dict[str, Any],
             now: datetime) -> None:
    """Store the result with the change (call before the commit); old keys are dropped."""
    if m.key is None:
        return
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP))
    session.add(IdempotencyKey(key=m.key, request_hash=m.fingerprint, status=status,
                               body=json.dumps(body, ensure_ascii=False), created_at=now))
    session.flush()
