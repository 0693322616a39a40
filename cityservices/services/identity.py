"""Patient identification by policy number and birth date, with limits that cannot lock out
others (OWASP ASVS 6.3.1: anti-automation without lockout of the real user).

Failed attempts are stored in ``auth_failures`` under hashed keys (never the raw policy number or
caller), so the limits hold across worker processes. Three counters, each within
``identify_window_s``:
- per (policy, caller): past ``identify_max_failures_per_policy`` failures that caller waits,
  with exponential back-off (``identify_backoff_s`` * 2**excess, at most the window), 429 with
  ``Retry-After``. Other callers of the same policy are not affected.
- per caller: past ``identify_max_failures_per_client`` failures on any policies, the same
  back-off for that caller only.
- per policy, all callers together: never a block, only a delay of every attempt on that policy
  (at most ``identify_policy_delay_s``), so a right answer from the real patient still succeeds.
The caller is the signed conversation id from the action server, or the client address
(``services/callers.py``).
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


def _failures(session: Session, key: str, now: datetime, window: timedelta) -> tuple[int, Any]:
    count, last = session.execute(
        select(func.count(AuthFailure.id), func.max(AuthFailure.at)).where(
            AuthFailure.key == key, AuthFailure.at > now - window
        )
    ).one()
    return int(count), last


def _back_off(
    session: Session, key: str, limit: int, now: datetime, settings: CitySettings, what: str
) -> None:
    """429 while this key's back-off after its last failure runs."""
    window = timedelta(seconds=settings.identify_window_s)
    count, last = _failures(session, key, now, window)
    if count < limit or last is None:
        return
    wait = min(window, timedelta(seconds=settings.identify_backoff_s * 2 ** (count - limit)))
    left = (last + wait - now).total_seconds()
    if left > 0:
        retry = max(1, int(left) + 1)
        raise ApiError(
            429,
            "too-many-attempts",
            f"too many failed identifications from this {what}; try again in {retry} s",
            headers={"Retry-After": str(retry)},
            retry_after_s=retry,
        )


def policy_delay(
    session: Session, settings: CitySettings, policy_number: str, now: datetime
) -> float:
    """Seconds to wait before answering an attempt on this policy: grows with the failures of
    all callers on it, never more than ``identify_policy_delay_s``; never a refusal."""
    window = timedelta(seconds=settings.identify_window_s)
    count, _last = _failures(session, _key("policy", policy_number), now, window)
    excess = count - settings.identify_max_failures_per_policy
    if excess < 0:
        return 0.0
    return float(min(settings.identify_policy_delay_s, 0.25 * 2 ** min(excess, 16)))


def _record_failure(session: Session, keys: list[str], now: datetime, window: timedelta) -> None:
    session.execute(delete(AuthFailure).where(AuthFailure.at <= now - window))
    session.add_all(AuthFailure(key=k, at=now) for k in keys)
    session.commit()


def guard(session: Session, settings: CitySettings, subject: str, caller: str,
          now: datetime) -> list[str]:
    """The per-(subject, caller) and per-caller back-off for any secret check (a policy number,
    a Troika card, a kindergarten application); returns the keys to count a failure under."""
    pair_key = _key("subject-caller", f"{subject}\n{caller}")
    caller_key = _key("caller", caller)
    _back_off(session, pair_key, settings.identify_max_failures_per_policy, now, settings,
              "caller for this number")
    _back_off(session, caller_key, settings.identify_max_failures_per_client, now, settings,
              "caller")
    return [pair_key, caller_key, _key("policy", subject)]


def record_failure(session: Session, settings: CitySettings, keys: list[str],
                   now: datetime) -> None:
    """Count a failed check (commits: the count outlives the request's error)."""
    _record_failure(session, keys, now, timedelta(seconds=settings.identify_window_s))


def identify(
    session: Session,
    settings: CitySettings,
    *,
    policy_number: str,
    birth_date: date,
    client: str,
    now: datetime,
) -> dict[str, Any]:
    """A short-lived token for the patient; 404 (and a counted failure) when nothing matches.
    ``client`` is the caller (``callers.caller_of``)."""
    keys = guard(session, settings, policy_number, client, now)
    patient = session.execute(
        select(Patient).where(Patient.policy_number == policy_number)
    ).scalar_one_or_none()
    if patient is None or patient.birth_date != birth_date:
        record_failure(session, settings, keys, now)
        log.info("identification failed for policy %s", mask(policy_number))
        raise ApiError(
            404, "patient-not-found", "no patient with this policy number and birth date"
        )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=settings.token_ttl_s)
    session.execute(delete(PatientToken).where(PatientToken.expires_at <= now))
    session.execute(delete(AuthFailure).where(AuthFailure.key == keys[0]))
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
