"""Tasks without a patient: Troika, kindergarten, transit, traffic, Wi-Fi, Open311."""

from __future__ import annotations

import re

from rasa_sdk.events import EventType

from actions import clock
from actions.base import entity, spoken_digits
from actions.city_client import Arrival, NotFound, set_caller
from actions.messages import say
from actions.parsing import digits_only, parse_birth_date, route_number
from actions.settings import current_settings
from actions.tasks import TaskContext, ask, done, task


def _digits_answer(ctx: TaskContext, length: range) -> tuple[str | None, bool]:
    """(number, failed): the digits of the answer when their count fits `length`."""
    digits = digits_only(ctx.text)
    if len(digits) in length:
        return digits, False
    return None, ctx.answer is not None


@task("troika_balance")
async def troika(ctx: TaskContext) -> list[EventType]:
    number, failed = _digits_answer(ctx, range(10, 11))
    number = number or ctx.data.get("card")
    if not number:
        return ask(ctx, "card_number", "ask_card", "card_format", "card_number", failed=failed)
    ctx.data["card"] = number
    try:
        card = await ctx.client.troika(number)
    except NotFound:
        ctx.reply.say("troika_unknown", card=spoken_digits(number))
        return done(ctx)
    balance = f"{card.balance_rub:g}"
    ctx.reply.say("troika_balance", card=spoken_digits(number), balance=balance)
    return done(ctx)


@task("kindergarten_queue_status")
async def kindergarten(ctx: TaskContext) -> list[EventType]:
    number = ctx.data.get("application")
    if not number:
        number, failed = _digits_answer(ctx, range(5, 11))
        if not number:
            return ask(
                ctx, "application", "ask_application", "application_format",
                "application_number", failed=failed,
            )
        ctx.data["application"] = number
        ctx.fails, ctx.answer = 0, None
    # the second factor: the child's birth date, asked after the number (issue 11)
    born = parse_birth_date(ctx.answer, ctx.lang, clock.today()) if ctx.answer else None
    if born is None:
        return ask(ctx, "child_birth", "ask_child_birth", "child_birth_format", "birth_date",
                   failed=ctx.answer is not None)
    set_caller(ctx.tracker.sender_id)  # wrong dates count per conversation (signed)
    try:
        app = await ctx.client.kindergarten(number, born.isoformat())
    except NotFound:
        ctx.reply.say("kg_not_matched", number=spoken_digits(number))
        return done(ctx)
    named = [_name(ctx, k.name_ru, k.name_en) for k in app.kindergartens_detail]
    gardens = ", ".join(named or [say("kindergarten_no", ctx.lang, number=n)
                                  for n in app.kindergartens])
    status = _name(ctx, app.status_ru, app.status_en) or app.status
    if app.status == "in_queue" and app.position is not None:
        ctx.reply.say(
            "kg_in_queue", number=spoken_digits(number), position=app.position,
            total=app.total or "?", gardens=gardens,
        )
    else:
        ctx.reply.say("kg_status", number=spoken_digits(number), status=status,
                      gardens=gardens)
    return done(ctx)


_ROUTE_WORD = re.compile(
    r"\b(?:автобус\w*|трамва\w*|троллейбус\w*|маршрут\w*|электробус\w*|номер\w*|bus|buses|"
    r"tram|trams|trolleybus|route|number)\b"
)
_STOP_NOISE = re.compile(
    r"\b(когда|придет|придёт|будет|ближайш\w*|следующ\w*|автобус\w*|трамва\w*|на|до|у|от|в|"
    r"остановк\w*|через|сколько|транспорт|прибыти\w*|расписани\w*|маршрут\w*|номер\w*|"
    r"троллейбус\w*|электробус\w*|эм|эн|тэ|when|is|the|next|bus|buses|tram|at|to|does|come|"
    r"stop|arrivals?|from|how|long|until|will|time|route|number|one|oh|em|en|\w?\d+\w?)\b"
)


def _route(ctx: TaskContext) -> tuple[str | None, bool]:
    """(route, unread): the route as said ("one forty four" -> 144, "сто сорок четвёртый",
    "эм один" -> м1); unread when the caller named a route that could not be read."""
    said = route_number(ctx.text, ctx.lang)
    if said:
        return said, False
    ent = entity(ctx.tracker, "route") if ctx.answer is None else None
    if ent:
        parsed = route_number(ent, ctx.lang) or (ent if ent.isdigit() else None)
        return parsed, parsed is None
    return None, bool(_ROUTE_WORD.search(ctx.text) and re.search(r"\d", ctx.text))


def _stop_query(ctx: TaskContext) -> str | None:
    stop = entity(ctx.tracker, "stop") if ctx.answer is None else None
    if stop:
        return stop
    rest = " ".join(_STOP_NOISE.sub(" ", ctx.text).split())
    return rest if len(rest) >= 4 else None


@task("transport_arrivals")
async def transit(ctx: TaskContext) -> list[EventType]:
    route, unread = _route(ctx)
    unread = unread or (ctx.data.pop("asked", None) == "route" and not route)
    if unread and not route:  # never "no departures" for a route we did not understand
        ctx.data["asked"] = "route"
        return ask(ctx, "route", "ask_route", "ask_route", "route", failed=True)
    ctx.data["route"] = route or ctx.data.get("route")
    query = _stop_query(ctx) or ctx.data.get("stop")
    if not query:
        return ask(ctx, "stop", "ask_stop", "ask_stop", "stop", failed=ctx.answer is not None)
    ctx.data["stop"] = query
    stops = await ctx.client.find_stops(query)
    if not stops:
        ctx.reply.say("stop_unknown", stop=query)
        ctx.data["stop"] = None
        return ask(ctx, "stop", "ask_stop", "ask_stop", "stop", failed=True)
    stop = stops[0]
    name = stop.name_ru if ctx.lang == "ru" else stop.name_en
    wanted = ctx.data.get("route")
    serving = {r.route.lower() for r in stop.routes}
    if wanted and serving and str(wanted).lower() not in serving:
        ctx.reply.say("route_not_at_stop", route=wanted, stop=name,
                      routes=", ".join(sorted(r.route for r in stop.routes)))
        return done(ctx)
    arrivals = await ctx.client.arrivals(stop.id, route=wanted, limit=3)
    if not arrivals:
        ctx.reply.say("no_arrivals", stop=name)
        return done(ctx)
    items = "; ".join(_arrival_text(ctx, a) for a in arrivals)
    ctx.reply.say("arrivals", stop=name, items=items)
    return done(ctx)


def _arrival_text(ctx: TaskContext, arrival: Arrival) -> str:
    """"bus 6 in 4 min"; an hour or more ahead (the first run in the morning): "bus 6 at 05:30"."""
    kind_word = say("tram" if arrival.route_type == "tram" else "bus", ctx.lang)
    if arrival.minutes >= 60 and len(arrival.arrival_time) >= 16:
        return say("arrival_item_at", ctx.lang, kind=kind_word, route=arrival.route,
                   time=arrival.arrival_time[11:16])
    return say("arrival_item", ctx.lang, kind=kind_word, route=arrival.route,
               minutes=arrival.minutes)


_ROAD_NOISE = re.compile(
    r"\b(какие|какая|как|есть|ли|пробк\w*|на|сейчас|дорог\w*|загруженность|ситуация|баллов|"
    r"сколько|свободн\w*|traffic|jams?|on|the|how|is|there|a|busy|now|level|congested|road|"
    r"situation|please)\b"
)


# Abbreviations (joined by spoken.normalize when spelled out) and short names -> the road's name
_ROAD_ALIASES = {
    "ттк": "Третье транспортное кольцо", "ttk": "Third Ring Road",
    "third ring": "Third Ring Road", "садовое": "Садовое кольцо", "садовом": "Садовое кольцо",
    "мкад": "МКАД", "mkad": "MKAD", "ring road": "MKAD",
}


def _road_query(ctx: TaskContext) -> str:
    said = entity(ctx.tracker, "road") or " ".join(_ROAD_NOISE.sub(" ", ctx.text).split())
    low = f" {said.lower()} "
    for alias, name in _ROAD_ALIASES.items():
        if f" {alias} " in low:  # "third ring" before "ring road": the first match wins
            return name
    return said


@task("traffic_status")
async def traffic(ctx: TaskContext) -> list[EventType]:
    road_q = _road_query(ctx)
    roads = await ctx.client.roads(road_q if len(road_q) >= 3 else None)
    if not roads and len(road_q) >= 3:  # "на ленинградке", "кутузовском": the word's stem
        for word in road_q.split():
            if len(word) >= 5 and (roads := await ctx.client.roads(word[:max(5, len(word) - 3)])):
                road_q = word
                break
    if not roads and road_q:
        ctx.reply.say("road_unknown", road=road_q)
        return done(ctx)
    if road_q and len(road_q) >= 3:
        road = roads[0]
        ctx.reply.say("traffic_road", road=_name(ctx, road.name_ru, road.name_en),
                      level=road.level)
    else:
        worst = sorted(roads, key=lambda r: -r.level)[:3]
        items = ", ".join(f"{_name(ctx, r.name_ru, r.name_en)} {r.level}" for r in worst)
        ctx.reply.say("traffic_city", items=items)
    return done(ctx)


def _name(ctx: TaskContext, ru: str, en: str) -> str:
    return (ru if ctx.lang == "ru" else en) or ru or en


@task("wifi_nearby")
async def wifi(ctx: TaskContext) -> list[EventType]:
    kiosk = current_settings().kiosk
    lat, lon = kiosk.lat, kiosk.lon
    place = entity(ctx.tracker, "place")
    if place:
        try:
            stops = await ctx.client.find_stops(place)
        except NotFound:
            stops = []
        if stops:
            lat, lon = stops[0].lat, stops[0].lon
    spots = await ctx.client.hotspots(lat, lon, limit=1)
    if not spots:
        ctx.reply.say("no_wifi")
        return done(ctx)
    spot = spots[0]
    ctx.reply.say("wifi", name=_name(ctx, spot.name_ru, spot.name_en), ssid=spot.ssid,
                  distance=round(spot.distance_m))
    return done(ctx)


@task("request_status")
async def request_status(ctx: TaskContext) -> list[EventType]:
    number, failed = _digits_answer(ctx, range(1, 13))
    number = number or ctx.data.get("request_id")
    if not number:
        return ask(ctx, "request_id", "ask_request_id", "request_id_format", "request_id",
                   failed=failed)
    try:
        req = await ctx.client.request_status(number)
    except NotFound:
        ctx.reply.say("request_unknown", number=number)
        return done(ctx)
    status = _status_word(ctx, req.status)
    service = _name(ctx, req.service_name_ru or "", req.service_name or "") or "-"
    notes = _name(ctx, req.status_notes_ru or "", req.status_notes or "").rstrip(".")
    ctx.reply.say("request_status", number=number, service=service,
                  status=status, notes=notes)
    return done(ctx)


def _status_word(ctx: TaskContext, status: str) -> str:
    return say("status_closed" if status == "closed" else "status_open", ctx.lang)
