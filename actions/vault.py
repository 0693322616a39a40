"""Personal data a later turn needs, sealed into the slot that carries it.

Rasa's tracker store keeps every slot (nlu/city_tracker_store.py masks personal data as it is
stored), so what a later turn needs in full (the policy number between its question and the
birth-date question, the patient token until the booking) travels sealed: encrypted and
authenticated (Fernet) with a key only the action servers hold, derived from
`secrets.actions_token`. The stored tracker holds ciphertext; any action server of the same
installation (a restarted one, or another replica) opens it; a sealed value older than `TTL_S`
(the conversations' lifetime) no longer opens, and the caller identifies again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import os

from cryptography.fernet import Fernet, InvalidToken

from actions.settings import current_settings

log = logging.getLogger(__name__)

SEALED = "sealed:"
TTL_S = 60 * 60


@functools.cache
def _fernet() -> Fernet:
    secret = current_settings().secrets.actions_token
    if not secret:  # an action server outside `assistant up` (tests): sealed for this process
        log.warning("secrets.actions_token is empty: sealed slots open in this process only")
        secret = base64.b64encode(os.urandom(32)).decode()
    key = hashlib.sha256(b"gorod-voice slot seal v1\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return SEALED + _fernet().encrypt(value.encode()).decode()


def unseal(value: object) -> str | None:
    """The sealed value, or None: not sealed, tampered with, another key, or too old."""
    if not isinstance(value, str) or not value.startswith(SEALED):
        return None
    try:
        return _fernet().decrypt(value[len(SEALED):].encode(), ttl=TTL_S).decode()
    except InvalidToken:
        return None


def keep_policy(policy: str) -> str:
    """The `policy_number` slot's (or the task data's) value: the number, sealed."""
    return seal(policy)


def held_policy(kept: object) -> str | None:
    return unseal(kept)


def keep_token(token: str) -> str:
    """The `patient_token` slot's (or the task data's) value: the token, sealed."""
    return seal(token)


def held_token(kept: object) -> str | None:
    """The patient token of an identified caller, or None: not identified, or no longer
    readable (too old, or sealed by another installation)."""
    return unseal(kept)
