"""What the tracker store keeps of a conversation: personal data masked before it is stored.

Pure (no Rasa import, no project import): nlu/city_tracker_store.py applies `mask_events` to the
events it persists, and the main environment's tests load this file by path.

Masked in every persisted event (issue 11, "personal data at rest"):
- user text (`text`, `parse_data.text`, entity values) and bot text (`text`, `data`): digit runs
  of 6 or more digits (groups split by spaces or hyphens too) keep their last 4; dates with a
  year (`1985-03-14`, `14.03.1985`, `14 марта 1985`, `march 14th, 1985`) become `**.**.****`, a
  lone year `****`. A user turn that answers a policy or birth-date question loses every digit;
  names of identified patients (the `patient_name` slot set in the same save) become initials;
- slots: `policy_number` keeps its last 4 digits, `birth_date` becomes `****-**-**`,
  `patient_token` `***`, `patient_name` initials; in dict slots (`pending`, `last_reply`) the
  values under personal keys (`token`, `policy`, `birth`...) become `***` and the free texts
  under `texts`/`answer`/`request_text` are masked like user text. Other slot values are left as
  they are (the offered dates and times, a Troika card number: later turns read them).

The real values a later turn needs (the policy number between its two questions, the patient
token) travel sealed (actions/vault.py: encrypted with a key only the action servers hold); a
sealed value is ciphertext and is stored as it is. A count under a personal key (the `failures`
slot) is not personal data and is kept.
"""

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text

SENSITIVE_SLOTS = ("policy_number", "birth_date", "patient_token", "patient_name")
PERSONAL_KEYS = frozenset({"token", "patient_token", "policy", "policy_number", "birth",
                           "birth_date", "child_birth", "child_birth_date", "patient_name"})
TEXT_KEYS = frozenset({"text", "texts", "answer", "request_text"})
# what a user turn answers when it follows these questions: every digit of it is personal
PERSONAL_QUESTIONS = frozenset({"policy_number", "birth_date", "policy", "birth", "child_birth"})
HIDDEN = "***"
DATE_MASK = "**.**.****"

_MONTH = (r"(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
          r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zа-яё]*\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th|-?(?:го|е|ое|ого))?"
_YEAR = r"(?:1[89]|20)\d{2}(?:\s*(?:года|год|г\.|г\b))?"
_DATES = re.compile(
    rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"  # 1985-03-14
    rf"|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}\b"  # 14.03.1985, 14/03/85
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}"  # 14 марта 1985 года, 14th of march 1985
    rf"|\b{_MONTH}\s+(?:the\s+)?{_DAY}\s*,?\s*{_YEAR}",  # march 14th, 1985
    re.IGNORECASE)
_LONE_YEAR = re.compile(r"(?<![\w\-:.*])(?:1[89]|20)\d{2}(?![\w\-:*])")
_LONG_NUMBER = re.compile(r"(?<![\d*])\d(?:[ \-]?\d){5,}(?![\d*])")
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_LETTER = re.compile(r"[A-Za-z]")


def mask_digits(value: Text, keep: int = 4) -> Text:
    """'7712345678901234' -> '************1234'."""
    digits = re.sub(r"\D", "", value)
    return "*" * max(len(digits) - keep, 0) + digits[-keep:] if digits else ""


def initials(name: Text) -> Text:
    """'Иван Петров' -> 'И. П.'"""
    return " ".join(f"{word[0]}." for word in str(name).split() if word)


def _inside_identifier(text: Text, start: int, end: int) -> bool:
    """Digits in an id with letters (a session id, a reference `A000003`) are no personal data."""
    while start > 0 and text[start - 1] in _ID_CHARS:
        start -= 1
    while end < len(text) and text[end] in _ID_CHARS:
        end += 1
    return _LETTER.search(text, start, end) is not None


def _number(match: "re.Match[str]") -> Text:
    if _inside_identifier(match.string, match.start(), match.end()):
        return match.group(0)
    return mask_digits(match.group(0))


def mask_text(text: Text, names: Iterable[Text] = ()) -> Text:
    """User or bot text as stored: dates, long digit runs and the given names masked."""
    text = _DATES.sub(DATE_MASK, text)
    text = _LONG_NUMBER.sub(_number, text)
    text = _LONE_YEAR.sub("****", text)
    for name in names:
        if name and name.strip():
            text = re.sub(re.escape(name.strip()), initials(name), text, flags=re.IGNORECASE)
    return text


def mask_answer(text: Text) -> Text:
    """A user turn that answers a policy or birth-date question: no digit of it is kept."""
    return re.sub(r"\d", "*", mask_text(text))


SEALED = "sealed:"  # actions/vault.py: ciphertext only the action servers can open


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEALED)


def mask_slot(name: Text, value: Any, names: Iterable[Text] = ()) -> Any:
    """A slot's value as stored (a sealed value is ciphertext already, and is kept)."""
    if value is None or is_sealed(value):
        return value
    if name == "policy_number":
        return mask_digits(str(value)) or HIDDEN
    if name == "birth_date":
        return "****-**-**"
    if name == "patient_token":
        return HIDDEN
    if name == "patient_name":
        return initials(str(value))
    if isinstance(value, (dict, list)):
        return _mask_nested(value, list(names))
    return value


def _mask_nested(value: Any, names: List[Text], key: Optional[Text] = None) -> Any:
    if isinstance(value, dict):
        # personal data is text: a count under a personal key (`failures`) is kept
        return {k: (HIDDEN if k in PERSONAL_KEYS and isinstance(v, str) and v and not is_sealed(v)
                    else _mask_nested(v, names, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_nested(v, names, key) for v in value]
    if isinstance(value, str) and key in TEXT_KEYS:
        return mask_text(value, names)
    return value


def _mask_strings(value: Any, names: List[Text]) -> Any:
    if isinstance(value, str):
        return mask_text(value, names)
    if isinstance(value, dict):
        return {k: _mask_strings(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_strings(v, names) for v in value]
    return value


def mask_user(event: Dict[Text, Any], names: List[Text], answer: bool = False) -> Dict[Text, Any]:
    masked = dict(event)
    text_mask = mask_answer if answer else (lambda t: mask_text(t, names))
    if isinstance(masked.get("text"), str):
        masked["text"] = text_mask(masked["text"])
    parse = masked.get("parse_data")
    if isinstance(parse, dict):
        parse = dict(parse)
        if isinstance(parse.get("text"), str):
            parse["text"] = text_mask(parse["text"])
        parse["entities"] = [
            {**e, "value": text_mask(e["value"])} if isinstance(e, dict) and isinstance(
                e.get("value"), str) else e for e in parse.get("entities") or []]
        masked["parse_data"] = parse
    return masked


def names_in(events: Iterable[Dict[Text, Any]]) -> List[Text]:
    """The patient names that `patient_name` slot events carry."""
    return [str(e["value"]) for e in events if e.get("event") == "slot"
            and e.get("name") == "patient_name" and e.get("value")]


def asked(event: Dict[Text, Any], current: Optional[Text]) -> Optional[Text]:
    """What the dialogue asks after `event` (the form's requested slot or a task's need)."""
    if event.get("event") == "session_started":
        return None
    if event.get("event") != "slot":
        return current
    value = event.get("value")
    if event.get("name") == "requested_slot":
        return str(value) if value else None
    if event.get("name") == "pending":
        need = value.get("need") if isinstance(value, dict) else None
        return str(need) if need else None
    return current


def mask_event(event: Dict[Text, Any], names: List[Text],
               asking: Optional[Text] = None) -> Dict[Text, Any]:
    """One event (Rasa's `Event.as_dict()`) as stored; `asking`: what the question before a user
    turn asked."""
    kind = event.get("event")
    if kind == "user":
        return mask_user(event, names, answer=asking in PERSONAL_QUESTIONS)
    if kind == "bot":
        masked = dict(event)
        if isinstance(masked.get("text"), str):
            masked["text"] = mask_text(masked["text"], names)
        if masked.get("data") is not None:
            masked["data"] = _mask_strings(masked["data"], names)
        return masked
    if kind == "slot":
        return {**event, "value": mask_slot(str(event.get("name")), event.get("value"), names)}
    return event


def mask_events(events: Sequence[Dict[Text, Any]], first_new: int = 0) -> List[Dict[Text, Any]]:
    """`events[first_new:]` as stored. The earlier events (already stored) tell what was asked
    before a new user turn; names set anywhere in `events` are masked in the new ones."""
    names = names_in(events)
    asking: Optional[Text] = None
    stored: List[Dict[Text, Any]] = []
    for index, event in enumerate(events):
        if index >= first_new:
            stored.append(mask_event(event, names, asking))
        asking = asked(event, asking)
    return stored
