"""Conversation repair shared by every task: explicit yes/no, change of mind, "I don't know my
policy", insults. Pure text rules on the (normalised) turn; no task logic here.

The booking form's validator (`actions.booking`) and the small tasks' runner
(`actions.task_actions.guarded_task`) both call `repair_turn` before a task sees the turn, so a
change of mind or a request for help works the same at every step of every task.
"""

from __future__ import annotations

import re
from typing import Literal

from spoken.repair import is_change_of_mind

Repair = Literal["drop", "dont_know_policy", "insult"]

_WORDS = re.compile(r"[a-zа-яё]+")
_YES = frozenset({
    "да", "ага", "угу", "верно", "конечно", "подтверждаю", "правильно", "согласен", "согласна",
    "записывайте", "записывай", "запишите", "хорошо", "ладно", "давайте", "давай", "точно",
    "именно", "отлично", "годится", "подходит", "подтверждаем", "отменяйте", "переносите",
    "yes", "yeah", "yep", "yup", "sure", "correct", "confirm", "confirmed", "right", "ok",
    "okay", "absolutely", "fine", "definitely", "попробуйте", "попробуй", "соедините",
    "соедини", "try", "connect",
})
_NO = frozenset({
    "нет", "не", "неа", "неверно", "неправильно", "никак", "no", "nope", "not", "dont", "wrong",
    "nah", "don",
})
_UNSURE = frozenset({"знаю", "уверен", "уверена", "помню", "наверное", "может", "know", "maybe",
                     "perhaps", "unsure"})
# "I don't know / can't find / lost my policy"; a bare "не знаю" counts when the policy is asked.
_DONT_KNOW = re.compile(
    r"\b(?:не\s+(?:знаю|помню|могу\s+найти|найду)|забыл\w*|потерял\w*|нет\s+(?:с\s+собой|под\s+рукой)|"
    r"где\s+(?:его\s+|мне\s+)?(?:найти|взять|посмотреть|узнать)|откуда\s+мне\s+знать|нету|нет\s+полиса|"
    r"don\s*t\s+(?:know|remember|have)|do\s+not\s+(?:know|remember|have)|no\s+idea|forgot|lost|"
    r"can\s*t\s+find|cannot\s+find|where\s+(?:do|can|would)\s+i\s+find|where\s+is)\b"
)
_POLICY_WORD = re.compile(r"\b(?:полис\w*|омс|policy|insurance|card)\b")
_BARE_DONT_KNOW = re.compile(r"^(?:я\s+)?(?:не\s+знаю|не\s+помню|понятия\s+не\s+имею|без\s+понятия|"
                             r"не\s+имею\s+понятия|i\s+don\s*t\s+know|no\s+idea|"
                             r"i\s+do\s+not\s+know|dont\s+know)$")
_INSULT = re.compile(
    r"\b(?:туп\w+|идиот\w*|дура?к?\b|дур[аы]\b|кретин\w*|дебил\w*|бестолков\w*|безмозгл\w*|"
    r"заткнись|задолбал\w*|достал\w*\s+уже|железяк\w*|придур\w*|урод\w*|глуп\w+|бесполезн\w*|"
    r"stupid|idiot\w*|moron\w*|dumb|shut\s+up|useless|garbage|rubbish|screw\s+you|"
    r"you\s+suck|the\s+worst|get\s+lost)"
)



def words(text: str) -> list[str]:
    return _WORDS.findall(text.lower().replace("'", "").replace("’", ""))


def yes_no(text: str) -> bool | None:
    """True only for a clear yes ("да", "да записывайте", "yes please"), False for a clear no
    ("нет", "no thanks"), None for anything else: empty, junk, emoji, "да нет", a question or an
    unrelated sentence. The NLU intent alone never counts: a junk turn may be classified as
    affirm."""
    said = words(text)
    if not said or len(said) > 6 or _UNSURE.intersection(said):
        return None
    has_yes = any(w in _YES for w in said)
    has_no = any(w in _NO for w in said)
    if has_yes and not has_no:
        return True
    if has_no and not has_yes:
        return False
    return None


def dont_know_policy(text: str, asking_policy: bool = False) -> bool:
    """"я не знаю номер полиса", "где найти полис", "I don't have my policy with me"; a bare
    "не знаю" / "I don't know" when the question was the policy."""
    low = " ".join(words(text))
    if asking_policy and _BARE_DONT_KNOW.match(low):
        return True
    return bool(_DONT_KNOW.search(low) and _POLICY_WORD.search(low))


def insult(text: str) -> bool:
    return bool(_INSULT.search(" ".join(words(text))))


def repair_turn(text: str, lang: str, asking_policy: bool = False) -> Repair | None:
    """What the turn does to the conversation rather than to the task, if anything."""
    if dont_know_policy(text, asking_policy):
        return "dont_know_policy"
    if insult(text):
        return "insult"
    if is_change_of_mind(" ".join(words(text)), lang):
        return "drop"
    return None
