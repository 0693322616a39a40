"""Doctor specialty as said (any inflection or synonym) -> canonical city-services code."""

from __future__ import annotations

import re

SPECIALTIES = (
    "therapist", "pediatrician", "dentist", "ophthalmologist", "otolaryngologist", "surgeon",
    "cardiologist", "neurologist", "dermatologist", "gynecologist",
)
# Word-start patterns; checked in order, first match wins.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(лор\w*|отоларинголог\w*|ухо горло нос|ent|ear nose|otolaryngolog\w*)\b"),
     "otolaryngologist"),
    (re.compile(r"\b(терапевт\w*|therapist\w*|gp|general practitioner|family doctor)\b"),
     "therapist"),
    (re.compile(r"\b(педиатр\w*|детск\w+ врач\w*|pediatrician\w*|paediatrician\w*|"
                r"child doctor|children s doctor)\b"), "pediatrician"),
    (re.compile(r"\b(стоматолог\w*|зубн\w+|dentist\w*|tooth doctor|dental)\b"), "dentist"),
    (re.compile(r"\b(окулист\w*|офтальмолог\w*|глазн\w+|ophthalmologist\w*|oculist\w*|"
                r"eye doctor|eye)\b"), "ophthalmologist"),
    (re.compile(r"\b(хирург\w*|surgeon\w*)\b"), "surgeon"),
    (re.compile(r"\b(кардиолог\w*|cardiologist\w*|heart doctor|heart)\b"), "cardiologist"),
    (re.compile(r"\b(невролог\w*|невропатолог\w*|neurologist\w*|nerve doctor)\b"), "neurologist"),
    (re.compile(r"\b(дерматолог\w*|кожник\w*|кожн\w+ врач\w*|dermatologist\w*|skin doctor|skin)\b"),
     "dermatologist"),
    (re.compile(r"\b(гинеколог\w*|gynecologist\w*|gynaecologist\w*)\b"), "gynecologist"),
]


def canonical_specialty(text: str | None) -> str | None:
    """The canonical specialty code named in `text`, or None."""
    if not text:
        return None
    low = text.lower().strip()
    if low in SPECIALTIES:
        return low
    for pattern, code in _PATTERNS:
        if pattern.search(low):
            return code
    return None


def specialty_mentions(text: str) -> list[tuple[int, int, str]]:
    """Every specialty named in lower-case `text`, in order: (start, end, code)."""
    found: list[tuple[int, int, str]] = []
    for pattern, code in _PATTERNS:
        for match in pattern.finditer(text):
            if not any(match.start() < f[1] and f[0] < match.end() for f in found):
                found.append((match.start(), match.end(), code))
    return sorted(found)
