"""Personal data out of every log line: one masking function and one logging filter, shared by all
processes (gateway, action server, city services). A leaf: imports nothing from the project.

Masked:
- secrets: `token=`, `api_key=`, `key=`, `secret=`, `password=` query or form values, and
  `Bearer` credentials, become `***`;
- dates (`1985-03-14`, `14.03.1985`) become `****-**-**`;
- long digit runs (policy 16 digits, card 10, phone numbers; groups split by spaces too) keep
  only their last 4 digits.
Digits inside an identifier that has letters (`[A-Za-z0-9_-]+`, such as a session id
`kiosk-3f9a0c1234567890` or a UUID) are left as they are, so ids stay usable in the logs.

`install_pii_filter()` puts the filter on the root logger's handlers and on the server loggers
that keep their own handlers (uvicorn's access and error logs, Sanic's): access logs included.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_SECRET_PARAM = re.compile(
    r"(?i)\b((?:access_|auth_|api_|device_)?token|api_?key|key|secret|password|passwd)"
    r"(=|%3D)([^&\s\"'<>;,]+)")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]+")
_LONG_NUMBER = re.compile(r"(?<!\d)(\d[\d ]{4,}\d)(?!\d)")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}\.\d{2}\.\d{4}\b")
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_LETTERS = re.compile(r"[A-Za-z]")

# loggers with handlers of their own (not propagating to the root): filtered themselves
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sanic.root", "sanic.error",
                  "sanic.access", "sanic.server", "sanic.websockets")


def _inside_identifier(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of an `[A-Za-z0-9_-]+` run that holds a letter."""
    while start > 0 and text[start - 1] in _ID_CHARS:
        start -= 1
    while end < len(text) and text[end] in _ID_CHARS:
        end += 1
    return _LETTERS.search(text, start, end) is not None


def _mask_number(match: re.Match[str]) -> str:
    raw = match.group(1)
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6 or _inside_identifier(match.string, match.start(1), match.end(1)):
        return raw
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_date(match: re.Match[str]) -> str:
    if _inside_identifier(match.string, match.start(), match.end()):
        return match.group(0)
    return "****-**-**"


def mask_digits(match: re.Match[str]) -> str:
    """Kept for callers of the old gateway helper: a long digit run with its last 4 digits."""
    return _mask_number(match)


def mask_secrets(text: str) -> str:
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def mask_pii(text: str) -> str:
    """Mask secrets, dates and long digit runs (policy, card, phone numbers) in free text."""
    return _LONG_NUMBER.sub(_mask_number, _DATE.sub(_mask_date, mask_secrets(text)))


class PiiMaskingFilter(logging.Filter):
    """Masks a record's message (and its traceback). Arguments are masked one by one where that
    gives the same text, so formatters that read `record.args` (uvicorn's access log) still
    work; otherwise the record carries the masked message and no arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler reports it, not the filter
            return True
        masked = mask_pii(message)
        if masked != message and not self._mask_args(record, masked):
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_pii(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
        return True

    @staticmethod
    def _mask_args(record: logging.LogRecord, masked: str) -> bool:
        if not isinstance(record.args, tuple) or not record.args:
            return False
        args = tuple(mask_pii(a) if isinstance(a, str) else a for a in record.args)
        try:
            fits = str(record.msg) % args == masked
        except (TypeError, ValueError):
            return False
        if fits:
            record.args = args
        return fits


def _set_filter(target: logging.Filterer, mask: bool) -> None:
    for old in [f for f in target.filters if isinstance(f, PiiMaskingFilter)]:
        target.removeFilter(old)
    if mask:
        target.addFilter(PiiMaskingFilter())


def install_pii_filter(mask: bool = True, handlers: Iterable[logging.Handler] | None = None,
                       loggers: Iterable[str] = SERVER_LOGGERS) -> None:
    """Idempotent: the masking filter on `handlers` (default: every handler of the root logger),
    on each of `loggers` and on their own handlers; `mask=False` takes it off again."""
    chosen = list(logging.getLogger().handlers if handlers is None else handlers)
    for name in loggers:
        logger = logging.getLogger(name)
        _set_filter(logger, mask)
        chosen.extend(logger.handlers)
    for handler in chosen:
        _set_filter(handler, mask)
