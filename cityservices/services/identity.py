"""Patient identification by policy number and birth date, with failure rate limits.

Failed attempts are stored in ``auth_failures`` under hashed keys (never the raw policy number or
address), so the limits hold across worker processes. While either the policy or the client has
reached its limit within the window, every attempt for it gets 429 with ``Retry-After``,
even a correct one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cityservices.deps import token_hash
from cityservices.errors import ApiError
from cityservices.models import AuthFailure, District, Patient, PatientToken
from cityservices.settings import CitySettings
from cityservices.text import mask

log = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def _check_limit(
    session: Session, key: str, limit: int, now: datetime, window: timedelta, what: str
) -> None:
    since = now - window
    count, oldest = session.execute(
        select(func.count(AuthFailure.id), func.min(AuthFailure.at)).where(
            AuthFailure.key == key, AuthFailure.at > since
        )
    ).one()
    if count >= limit:
        retry = max(1, int((oldest + window - now).total_seconds()) + 1)
        raise ApiError(
            429,
            "too-many-attempts",
            f"too many failed identifications for this {what}; try again in {retry} s",
            headers={"Retry-After": str(retry)},
            retry_after_s=retry,
        )


def _record_failure(session: Session, keys: list[str], now: datetime, window: timedelta) -> None:
    session.execute(delete(AuthFailure).where(AuthFailure.at <= now - window))
    session.add_all(AuthFailure(key=k, at=now) for k in keys)
    session.commit()


def identify(
    session: Session,
    settings: CitySettings,
    *,
    policy_number: str,
    birth_date: date,
    client: str,
    now: datetime,
) -> dict[str, Any]:
    """A short-lived token for the patient; 404 (and a counted failure) when nothing matches."""
    window = timedelta(seconds=settings.identify_window_s)
    policy_key, client_key = _key("policy", policy_number), _key("client", client)
    limit_policy = settings.identify_max_failures_per_policy
    _check_limit(session, policy_key, limit_policy, now, window, "policy number")
    limit_client = settings.identify_max_failures_per_client
    _check_limit(session, client_key, limit_client, now, window, "client")
    patient = session.execute(
        select(Patient).where(Patient.policy_number == policy_number)
    ).scalar_one_or_none()
    if patient is None or patient.birth_date != birth_date:
        _record_failure(session, [policy_key, client_key], now, window)
        log.info("identification failed for policy %s", mask(policy_number))
        raise ApiError(
            404, "patient-not-found", "no patient with this policy number and birth date"
        )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=settings.token_ttl_s)
    session.execute(delete(PatientToken).where(PatientToken.expires_at <= now))
    session.add(
        PatientToken(token_hash=token_hash(token), patient_id=patient.id, expires_at=expires)
    )
    district = session.get(District, patient.district_code)
    session.commit()
    log.info("identified patient %s (policy %s)", patient.id, mask(policy_number))
    tz = ZoneInfo(settings.timezone)
    return {
        "token": token,
        "token_type": "bearer",
        "expires_at": expires.astimezone(tz).isoformat(),
        "patient": {
            "id": patient.id,
            "name_ru": patient.name_ru,
            "name_en": patient.name_en,
            "district": district.name_en if district else patient.district_code,
            "district_ru": district.name_ru if district else patient.district_code,
        },
    }
