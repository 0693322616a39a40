"""Logging set-up with a filter that masks personal data in every record.

Policy numbers (16 digits), card numbers (10 digits), any other long digit run and birth dates
never reach a log unmasked: only the last 4 digits of a number stay, dates become `****-**-**`.
"""

from __future__ import annotations

import logging
import re

_LONG_NUMBER = re.compile(r"(?<!\d)(\d[\d ]{4,}\d)(?!\d)")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}\.\d{2}\.\d{4}\b")


def mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) < 6:
        return match.group(1)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_pii(text: str) -> str:
    """Mask dates and long digit runs (policy, card, phone numbers) in free text."""
    return _LONG_NUMBER.sub(mask_digits, _DATE.sub("****-**-**", text))


class PiiMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_pii(record.getMessage())
        record.args = None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Idempotent: installs one handler with the masking filter on the root logger."""
    root = logging.getLogger()
    if any(isinstance(f, PiiMaskingFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiMaskingFilter())
    root.addHandler(handler)
    root.setLevel(level)
