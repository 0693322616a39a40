"""report_problem: an Open311 request with a type, a place and a description."""

from __future__ import annotations

import logging
import re

from rasa_sdk.events import EventType

from actions.base import digit_groups, entity
from actions.tasks import TaskContext, ask, done, task

logger = logging.getLogger(__name__)

# problem type -> words that name it (ru/en); the value is matched to an Open311 service_code.
PROBLEM_WORDS: dict[str, tuple[str, ...]] = {
    "pothole": ("ям", "выбоин", "асфальт", "pothole", "hole"),
    "streetlight": ("фонар", "освещен", "свет не", "street light", "streetlight", "lamp"),
    "garbage": ("мусор", "бак", "отход", "garbage", "trash", "rubbish", "litter"),
    "traffic_light": ("светофор", "traffic light"),
    "graffiti": ("граффити", "надпис", "graffiti"),
}
_SERVICE_HINTS = {k: (k.replace("_", " "), *v) for k, v in PROBLEM_WORDS.items()}


def problem_type(text: str, named: str | None) -> str | None:
    if named and named in PROBLEM_WORDS:
        return named
    low = text.lower()
    for code, words in PROBLEM_WORDS.items():
        if any(w in low for w in words):
            return code
    return None


async def service_code(ctx: TaskContext, kind: str) -> str:
    """The Open311 service_code whose code or name fits `kind` (first service otherwise)."""
    services = await ctx.client.services()
    hints = _SERVICE_HINTS.get(kind, (kind,))
    for svc in services:
        hay = " ".join(str(svc.get(k, "")) for k in ("service_code", "service_name",
                                                        "description", "keywords")).lower()
        if any(h in hay for h in hints):
            return str(svc["service_code"])
    return str(services[0]["service_code"]) if services else kind


# "яма на дороге" names no place: these words alone are not an address.
_GENERIC_PLACES = frozenset({
    "дороге", "улице", "тротуаре", "дворе", "остановке", "стене", "доме", "проезжей части",
    "the road", "the street", "the sidewalk", "the pavement", "road", "street", "my street",
})
_PLACE = re.compile(r"\b(?:на|у|около|возле|рядом с|on|near|at|by)\s+(.+)$")


@task("report_problem")
async def report(ctx: TaskContext) -> list[EventType]:
    need = ctx.data.get("need_now")
    answer = ctx.answer
    if need == "type" and answer is not None:
        ctx.data["type"] = problem_type(answer, None)
        if not ctx.data["type"]:
            return _ask(ctx, "type", failed=True)
    elif need == "place" and answer is not None:
        ctx.data["place"] = answer
    elif need == "description" and answer is not None:
        ctx.data["description"] = answer
    elif answer is None:
        text = ctx.text
        ctx.data["type"] = problem_type(text, entity(ctx.tracker, "problem_type"))
        place = entity(ctx.tracker, "place")
        match = _PLACE.search(text)
        said = match.group(1) if match and ctx.data["type"] else None
        ctx.data["place"] = place or (said if said and said not in _GENERIC_PLACES else None)
        if ctx.data["type"]:
            ctx.data["description"] = text
    for field in ("type", "place", "description"):
        if not ctx.data.get(field):
            return _ask(ctx, field)
    code = await service_code(ctx, str(ctx.data["type"]))
    number = await ctx.client.report(code, str(ctx.data["description"]),
                                     address=str(ctx.data["place"]))
    logger.info("open311 request filed, service %s", code)
    ctx.reply.say("problem_reported", number=digit_groups(number, 2))
    return done(ctx)


def _ask(ctx: TaskContext, field: str, failed: bool = False) -> list[EventType]:
    ctx.data["need_now"] = field
    key = f"ask_problem_{field}"
    return ask(ctx, field, key, key, "free_text", failed=failed)
