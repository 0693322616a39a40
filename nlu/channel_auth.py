"""The city channel's caller check, with no Rasa import (tested in the main environment).

Rasa's `--auth-token` guards its HTTP API but not its input channels, so the `city` channel
(nlu/city_channel.py) checks a secret shared with the gateway: the header `X-Channel-Secret`
(assistant/gateway/dialogue.py sends it). Compared in constant time. The secret comes from
credentials.yml (`secret: ${ASSISTANT_SECRETS__CHANNEL_SECRET}`); an empty one refuses to start.
"""

import hmac
from typing import Mapping, Optional

HEADER = "X-Channel-Secret"


class ChannelSecretMissing(ValueError):
    """The channel was configured without a secret."""


def require_secret(secret: Optional[str]) -> str:
    if not secret or not str(secret).strip():
        raise ChannelSecretMissing(
            "the city channel needs `secret` in credentials.yml "
            "(ASSISTANT_SECRETS__CHANNEL_SECRET, set by `assistant up`)")
    return str(secret)


def caller_status(secret: str, headers: Mapping[str, str]) -> Optional[int]:
    """None when the request carries the shared secret; else the HTTP status to refuse it with
    (401 without the header, 403 with a wrong one)."""
    supplied = headers.get(HEADER) or headers.get(HEADER.lower())
    if not supplied:
        return 401
    if not hmac.compare_digest(supplied.encode(), secret.encode()):
        return 403
    return None
