"""Change of mind: the caller drops what is under way ("не надо", "я передумал", "forget it").

A pure test on Vosk-style text. A correction ("не надо к неврологу, а к кардиологу", "never mind
tuesday, wednesday") is not a change of mind: the caller goes on with a new value.
"""

from __future__ import annotations

import re

_RU = re.compile(
    r"\b(?:(?:уже|ничего|больше|пока|ладно|тогда)\s+)*(?:не\s+надо|не\s+нужно|не\s+хочу|"
    r"передумал\w*|раздумал\w*|забуд\w+|забей\w*|неважно|не\s+важно|проехали|отбой|"
    r"оставь\w*\s+(?:это|так)|не\s+буду|не\s+стоит|отмена|отмените|отменяй\w*|"
    r"давай\w*\s+не\s+будем|не\s+записывай\w*|не\s+бронируй\w*)\b"
)
_EN = re.compile(
    r"\b(?:never\s*mind|forget\s+(?:it|that|about\s+it|the\s+whole\s+thing)|"
    r"(?:i\s+)?(?:have\s+|ve\s+)?changed\s+my\s+mind|no\s+need|don\s*t\s+bother|"
    r"don\s*t\s+(?:want|need)\s+(?:it|that|to)|cancel\s+(?:that|it|this)|scratch\s+that|"
    r"not\s+anymore|leave\s+it|skip\s+it|stop\s+it|i\s+don\s*t\s+want\s+it|"
    r"don\s*t\s+book)\b"
)
# What makes it a correction instead: a new value offered after the dropped one.
_RU_CONTRAST = re.compile(r"\b(?:а|лучше|давайте|давай|вместо|зато|но|то\s+есть|а\s+вот)\b")
_EN_CONTRAST = re.compile(r"\b(?:but|instead|rather|i\s+mean|make\s+it|let\s*s|how\s+about)\b")
# Interjections a caller starts with ("а, не надо", "ой, забудьте", "oh never mind"): not a
# contrast, whatever "а" means elsewhere.
_LEADING = re.compile(r"^(?:(?:а|ой|ну|ах|эх|ох|ай|oh|ah|um|uh|well|ok|okay)\s+)+")
# "да, отменяйте" at "Отменить запись?" is a yes to the cancellation, not a change of mind.
_YES_CANCEL = re.compile(r"^(?:да|ага|конечно|ну\s+да|да\s+да|yes|yeah|sure)\b.*\bотмен\w*")
_TASK_OBJECT = re.compile(r"\bотмен\w*\s+(?:запис\w+|при[её]м\w*|заявк\w+|визит\w*)\b")


def is_change_of_mind(text: str, lang: str) -> bool:
    """True for "не надо", "я передумал", "ладно, забудьте", "никуда не надо, отбой",
    "never mind", "forget it", "I changed my mind"; False for corrections ("не надо во
    вторник, давайте в среду", "scratch that, wednesday instead") and for a task request
    ("отмените запись" is cancelling an appointment)."""
    low = " ".join(re.sub(r"[^\w\s]", " ", text.lower().replace("'", "")).split())
    low = _LEADING.sub("", low)
    if lang == "en":
        found = _EN.search(low)
        contrast = _EN_CONTRAST
    else:
        found = _RU.search(low)
        contrast = _RU_CONTRAST
        if _TASK_OBJECT.search(low) or _YES_CANCEL.search(low):
            return False
    if not found:
        return False
    return not contrast.search(low[found.end():]) and not contrast.search(low[:found.start()])
