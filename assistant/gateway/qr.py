"""QR codes of booking references for the kiosk's confirmation card, made offline with segno.

A reference is short and plain (`A000123`): letters, digits, `-`, `/`, `.`, at most
`MAX_CHARS`; anything else is refused, so the route that serves the code cannot be used to
encode arbitrary text. The code is an SVG data URI (black on white, a quiet zone of 4 modules),
ready for an `<img src>`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno

MAX_CHARS = 32
_REFERENCE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9./-]{{0,{MAX_CHARS - 1}}}")
BORDER = 4  # modules of white around the code (the quiet zone the QR standard asks for)


def valid_reference(text: str) -> bool:
    return _REFERENCE.fullmatch(text) is not None


def _code(text: str) -> segno.QRCode:
    if not valid_reference(text):
        raise ValueError(f"not a booking reference (letters, digits, -./; at most {MAX_CHARS})")
    return segno.make_qr(text, error="m")


@lru_cache(maxsize=256)
def qr_data_uri(text: str) -> str:
    """The reference's QR code as an SVG data URI; ValueError for anything not a reference."""
    uri: str = _code(text).svg_data_uri(scale=1, border=BORDER, dark="#000", light="#fff",
                                        xmldecl=False)
    return uri


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules (True: dark) with its quiet zone, as drawn in `qr_data_uri`."""
    return [[bool(cell) for cell in row] for row in _code(text).matrix_iter(border=BORDER)]
