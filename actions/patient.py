"""Patient identification (policy number + birth date), shared by booking and appointment tasks."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from rasa_sdk.events import EventType, SlotSet

from actions.base import Reply, digit_groups, mask_digits
from actions.city_client import CityApi, Identity, NotFound
from actions.parsing import digits_only, parse_birth_date
from actions.vault import keep_token

logger = logging.getLogger(__name__)

_LAST_FOUR = re.compile(r"\b(?:последние|последних|last)\s+(?:4\s+)?(?:\w+\s+){0,2}?(\d{4})\b")
POLICY_LEN = 16


def policy_from(text: str) -> str | None:
    digits = digits_only(text)
    return digits if len(digits) == POLICY_LEN else None


def corrected_policy(text: str, policy: str | None) -> str | None:
    """'нет последние 4 1235' corrects only the last four digits of the policy said before."""
    if not policy or len(policy) != POLICY_LEN:
        return None
    match = _LAST_FOUR.search(text.replace("четыре", "4").replace("four", "4"))
    return policy[:-4] + match.group(1) if match else None


def birth_from(text: str, lang: str) -> str | None:
    found = parse_birth_date(text, lang)
    return found.isoformat() if found else None


def read_back_policy(reply: Reply, policy: str, channel: str) -> None:
    """Kiosk: only the last four digits are spoken, the masked number is shown on screen."""
    if channel == "kiosk":
        reply.say("policy_readback_kiosk", digits=" ".join(policy[-4:]))
        reply.display(digit_groups(mask_digits(policy)))
    else:
        reply.say("policy_readback", digits=digit_groups(policy))


@dataclass
class IdentifyResult:
    identity: Identity | None
    events: list[EventType]


async def identify(
    client: CityApi, reply: Reply, policy: str, birth: str
) -> IdentifyResult:
    """Ask the back-end; on success the slots keep only masked personal data, and the token
    sealed (actions/vault.py)."""
    try:
        identity: Identity = await client.identify(policy, birth)
    except NotFound:
        logger.info("identification failed for policy %s", mask_digits(policy))
        reply.say("not_identified")
        return IdentifyResult(None, [SlotSet("policy_number", None), SlotSet("birth_date", None)])
    name = identity.patient.name_ru if reply.lang == "ru" else identity.patient.name_en
    logger.info("patient identified, policy %s", mask_digits(policy))
    reply.say("identified", name=name or "")
    return IdentifyResult(identity, [
        SlotSet("patient_token", keep_token(identity.token)),
        SlotSet("patient_name", name),
        SlotSet("policy_number", mask_digits(policy)),
        SlotSet("birth_date", "****-**-**"),
    ])
