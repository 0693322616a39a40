"""Vosk-style text as the dialogue reads it: spoken numbers as digits, specialty names as codes.

A leaf package: it imports nothing from the project, so the gateway (which normalises every turn
before Rasa sees it) and the action server (which parses slots) share one normalisation.
"""

from __future__ import annotations

from spoken.normalize import normalize
from spoken.numbers import digits_only
from spoken.repair import is_change_of_mind
from spoken.slots import route_number, said_in_pairs
from spoken.specialty import SPECIALTIES, canonical_specialty

__all__ = ["SPECIALTIES", "canonical_specialty", "digits_only", "is_change_of_mind", "normalize",
           "route_number", "said_in_pairs"]
