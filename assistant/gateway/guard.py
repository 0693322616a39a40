"""What a public channel lets through to the dialogue engine.

Rasa reads a message that starts with `/` as a direct trigger (`/affirm`,
`/book{"policy": "..."}`): the intent and entities are taken at confidence 1.0 and NLU is skipped.
No caller may do that: `/v1/text` and typed turns on the voice sockets refuse such text, and
`neutralise()` (called by the dialogue client for every turn, whatever the channel) strips the
leading slashes of anything that still gets there.
"""

from __future__ import annotations

import re

TRIGGER = "/"


def text_problem(text: str) -> str | None:
    """Why a caller's text is refused, or None when it may go to the dialogue."""
    stripped = text.strip()
    if not stripped:
        return "text is empty"
    if stripped.startswith(TRIGGER):
        return "text must not start with '/': intent triggers are not accepted from callers"
    return None


def neutralise(text: str) -> str:
    """The text with leading slashes (and the blanks around them) removed."""
    stripped = text.lstrip()
    while stripped.startswith(TRIGGER):
        stripped = stripped[len(TRIGGER):].lstrip()
    return stripped if stripped != text.lstrip() else text


_PATH = re.compile(r"(?<![\w.:/])(?:[A-Za-z]:)?[/\\](?:[\w.@+~-]+[/\\])*[\w.@+~-]+[/\\]?")


def public_message(message: str) -> str:
    """An error message as a caller may see it: server paths (a model folder, a file) become
    `<path>`; the log keeps the full message."""
    return _PATH.sub("<path>", message)
