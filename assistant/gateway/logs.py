"""The gateway's logging set-up: one handler on the root logger, with the masking filter of
`spoken.privacy` (shared by every process) on it and on uvicorn's own loggers, the access log
included.

Policy numbers, card numbers, other long digit runs, birth dates and tokens (`?token=`, `Bearer`)
never reach a log unmasked: only the last 4 digits of a number stay, dates become `****-**-**`,
tokens `***`. Session ids (letters and digits) are left readable.
"""

from __future__ import annotations

import logging

from spoken.privacy import PiiMaskingFilter, install_pii_filter, mask_pii

__all__ = ["PiiMaskingFilter", "configure_logging", "mask_pii"]


class _GatewayHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler `configure_logging` installs (so a second call finds and adjusts it)."""


def configure_logging(level: int = logging.INFO, mask: bool = True) -> None:
    """Idempotent: one handler on the root logger, with the masking filter when `mask`
    (config.yml `privacy.log_mask`), also on uvicorn's loggers (whose access log has its own
    handler when uvicorn configured logging); a later call switches the filter on or off."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _GatewayHandler)), None)
    if handler is None:
        handler = _GatewayHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
    # httpx logs each request to Rasa at INFO ("HTTP Request: POST ..."): per-turn CPU that
    # gorod_dialogue_turn_seconds repeats; failures are logged by the dialogue client
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_pii_filter(mask, handlers=[handler])
    if not mask:
        logging.getLogger(__name__).warning(
            "privacy.log_mask is off: personal data (policy numbers, birth dates) reaches the logs"
        )
