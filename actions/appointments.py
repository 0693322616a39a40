"""list / cancel / reschedule the identified patient's real appointments."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.events import EventType

from actions import clock
from actions.appointment_pick import described, item, option_number
from actions.base import turn_channel
from actions.booking_steps import fetch_slots, mutation_key
from actions.city_client import Appointment, Conflict, TimeSlot, set_caller
from actions.health_text import clinic_name, doctor_name, specialty_name, when_text
from actions.messages import say
from actions.parsing import parse_date, parse_time
from actions.patient import birth_from, corrected_policy, identify, policy_from, read_back_policy
from actions.repair import yes_no
from actions.tasks import TaskContext, ask, done, task, waiting
from actions.vault import held_policy, held_token, keep_policy, keep_token

logger = logging.getLogger(__name__)


async def _identity(ctx: TaskContext) -> tuple[str | None, list[EventType]]:
    """The patient token, asking for policy and birth date (over several turns) when needed."""
    token = held_token(ctx.tracker.get_slot("patient_token")) or held_token(ctx.data.get("token"))
    if token:  # sealed in the slot or the task data (actions/vault.py)
        return token, []
    stage, answer = ctx.data.get("stage"), ctx.answer
    if stage == "policy" and answer is not None:
        policy = policy_from(answer)
        if not policy:
            return None, ask(ctx, "policy", "ask_policy", "policy_format", "policy_number",
                             failed=True)
        ctx.data.update(policy=keep_policy(policy), stage="birth")
        ctx.fails = 0
        read_back_policy(ctx.reply, policy, turn_channel(ctx.tracker))
        return None, ask(ctx, "birth", "ask_birth", "birth_format", "birth_date")
    if stage == "birth" and answer is not None:
        return await _birth(ctx, answer)
    ctx.data["stage"] = "policy"
    return None, ask(ctx, "policy", "ask_policy", "policy_format", "policy_number")


async def _birth(ctx: TaskContext, answer: str) -> tuple[str | None, list[EventType]]:
    policy = held_policy(ctx.data.get("policy"))  # sealed in the task data
    fixed = corrected_policy(answer, policy)
    if fixed:
        ctx.data["policy"] = keep_policy(fixed)
        read_back_policy(ctx.reply, fixed, turn_channel(ctx.tracker))
        return None, ask(ctx, "birth", "ask_birth", "birth_format", "birth_date")
    birth = birth_from(answer, ctx.lang)
    if not birth:
        return None, ask(ctx, "birth", "ask_birth", "birth_format", "birth_date", failed=True)
    if policy is None:  # no longer readable (too old): the policy is asked again
        ctx.data["stage"] = "policy"
        return None, ask(ctx, "policy", "ask_policy", "policy_format", "policy_number")
    set_caller(ctx.tracker.sender_id)  # the city's limits are per conversation (signed)
    result = await identify(ctx.client, ctx.reply, policy, birth)
    ctx.data.pop("policy", None)
    if result.identity is None:
        ctx.data["stage"] = "policy"
        return None, [*result.events, *ask(ctx, "policy", "ask_policy", "policy_format",
                                           "policy_number", failed=True)]
    ctx.data.update(token=keep_token(result.identity.token), stage="done")
    ctx.answer = None  # the answer was the birth date; the task starts fresh
    return result.identity.token, result.events


def _item(ctx: TaskContext, n: int, appt: Appointment) -> str:
    return item(n, appt, ctx.lang)


@task("list_appointments")
async def list_appointments(ctx: TaskContext) -> list[EventType]:
    token, events = await _identity(ctx)
    if token is None:
        return events
    appts = await ctx.client.appointments(token)
    if not appts:
        ctx.reply.say("no_appointments")
    else:
        items = "; ".join(_item(ctx, i + 1, a) for i, a in enumerate(appts))
        ctx.reply.say("appointments", items=items)
    return [*events, *done(ctx)]


async def _identified_appointment(
    ctx: TaskContext,
) -> tuple[str | None, dict[str, Any] | None, list[EventType]]:
    """(token, appointment, events so far): the patient identified, then the appointment picked;
    a None means the turn ends here with `events` (a question asked, or nothing to work on)."""
    token, events = await _identity(ctx)
    if token is None:
        return None, None, events
    appt, more = await _pick(ctx, token)
    if appt is not None:
        ctx.data["appointment"] = appt
    return token, appt, [*events, *more]


async def _pick(ctx: TaskContext, token: str) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The appointment to work on: the only one, the only one that fits the description
    ("к терапевту", "the one on friday"), or the one the user names by number."""
    if ctx.data.get("appointment"):
        return ctx.data["appointment"], []
    appts = await ctx.client.appointments(token)
    if not appts:
        ctx.reply.say("no_appointments")
        return None, done(ctx)
    listed = [a for a in appts if str(a.id) in (ctx.data.get("listed") or [])] or appts
    answer = ctx.answer if ctx.data.get("stage_pick") else None
    if answer is not None:
        number = option_number(answer, ctx.lang, len(listed))
        if number is not None:
            ctx.answer = None
            return listed[number - 1].model_dump(by_alias=True), []
    request = str(ctx.data.get("request_text") or "")
    fits = described(listed, [(request, ctx.task == "cancel_appointment"),
                              (answer or "", True)], ctx.lang)
    if len(fits) == 1:
        ctx.answer = None
        return fits[0].model_dump(by_alias=True), []
    ctx.data.update(stage_pick=True, listed=[str(a.id) for a in fits])
    items = "; ".join(_item(ctx, i + 1, a) for i, a in enumerate(fits))
    ctx.reply.say("which_appointment", items=items)
    ctx.reply.expect("slot_choice", [str(i + 1) for i in range(len(fits))])
    return None, [waiting(ctx, "ask", "pick", fails=ctx.fails)]


def _yes_no(ctx: TaskContext) -> bool | None:
    """Only a clear yes or no said in words; a junk turn classified as affirm is neither."""
    return yes_no(ctx.answer or "")


def _confirm(ctx: TaskContext, key: str, **params: Any) -> list[EventType]:
    ctx.data["stage_confirm"] = True
    ctx.reply.say(key, **params)
    ctx.reply.expect("yes_no", ["да", "нет"] if ctx.lang == "ru" else ["yes", "no"])
    return [waiting(ctx, "confirm")]


@task("cancel_appointment")
async def cancel(ctx: TaskContext) -> list[EventType]:
    if ctx.answer is None and "request_text" not in ctx.data:
        ctx.data["request_text"] = ctx.text
    token, appt, events = await _identified_appointment(ctx)
    if token is None or appt is None:
        return events
    what = {"specialty": specialty_name(appt.get("serviceType"), ctx.lang),
            "when": when_text(str(appt["start"]), ctx.lang)}
    answer = _yes_no(ctx) if ctx.data.get("stage_confirm") and ctx.answer else None
    if answer is None:
        return [*events, *_confirm(ctx, "confirm_cancel", **what)]
    if answer:
        await ctx.client.cancel(token, appt["id"], mutation_key(ctx.tracker, "cancel", appt["id"]))
        logger.info("appointment %s cancelled", appt.get("reference"))
        ctx.reply.say("cancelled", **what)
    else:
        ctx.reply.say("not_cancelled")
    return [*events, *done(ctx)]


@task("reschedule_appointment")
async def reschedule(ctx: TaskContext) -> list[EventType]:
    if ctx.answer is None and "request_text" not in ctx.data:
        ctx.data["request_text"] = ctx.text
    token, appt, events = await _identified_appointment(ctx)
    if token is None or appt is None:
        return events
    return [*events, *await _reschedule_steps(ctx, token, appt)]


async def _reschedule_steps(ctx: TaskContext, token: str, appt: dict[str, Any]) -> list[
    EventType
]:
    specialty = str(appt.get("serviceType") or "")
    if ctx.data.get("stage_confirm") and ctx.answer is not None:
        answer = _yes_no(ctx)
        if answer is True:
            return await _do_reschedule(ctx, token, appt, specialty)
        if answer is False:
            ctx.reply.say("not_rescheduled")
            return done(ctx)
        if ctx.data.get("chosen"):  # not a clear yes or no: the same question again
            return _readback(ctx, specialty, ctx.data["chosen"])
    if ctx.data.get("offered") and ctx.answer is not None:
        chosen = _choose(ctx.answer, ctx.data["offered"])
        if chosen is not None:
            ctx.data["chosen"] = chosen
            return _readback(ctx, specialty, chosen)
    # The request itself ("move it to monday"), never the birth date said to identify.
    today = clock.today()
    wanted = parse_date(ctx.answer or str(ctx.data.get("request_text") or ""), ctx.lang, today)
    if wanted is None or wanted < today:
        return ask(ctx, "date", "ask_date", "date_format", "date",
                   failed=bool(ctx.data.get("asked_date") and ctx.answer))
    offered = await fetch_slots(ctx.client, specialty, wanted.isoformat())
    if not offered:
        ctx.reply.say("no_slots")
        return ask(ctx, "date", "ask_date", "date_format", "date")
    ctx.data["offered"] = offered
    items = ", ".join(say("slot_item", ctx.lang, n=i + 1, when=when_text(str(s["start"]),
                      ctx.lang)) for i, s in enumerate(offered))
    ctx.reply.say("offer_slots", specialty=specialty_name(specialty, ctx.lang), items=items)
    ctx.reply.expect("slot_choice")
    return [waiting(ctx, "ask", "choice")]


def _readback(ctx: TaskContext, specialty: str, chosen: dict[str, Any]) -> list[EventType]:
    slot = TimeSlot.model_validate(chosen)
    return _confirm(ctx, "readback", specialty=specialty_name(specialty, ctx.lang),
                    when=when_text(slot.start, ctx.lang), clinic=clinic_name(slot, ctx.lang),
                    doctor=doctor_name(slot, ctx.lang))


def _choose(answer: str, offered: list[dict[str, Any]]) -> dict[str, Any] | None:
    wanted = parse_time(answer)
    for slot in offered:
        start = str(slot["start"])
        if wanted and start[11:16] == str(wanted):
            return slot
    numbers = [int(w) for w in answer.split() if w.isdigit()]
    if len(numbers) == 1 and 1 <= numbers[0] <= len(offered):
        return offered[numbers[0] - 1]
    return None


async def _do_reschedule(
    ctx: TaskContext, token: str, appt: dict[str, Any], specialty: str
) -> list[EventType]:
    try:
        chosen = ctx.data["chosen"]["id"]
        new = await ctx.client.reschedule(token, appt["id"], chosen, mutation_key(
            ctx.tracker, "reschedule", appt["id"], chosen))
    except Conflict as conflict:
        ctx.reply.say("slot_taken")
        ctx.data["offered"] = [s.model_dump() for s in conflict.alternatives][:3]
        ctx.data.pop("stage_confirm", None)
        ctx.answer = None
        return ask(ctx, "choice", "choice_format", "choice_format", "slot_choice")
    what = {"specialty": specialty_name(specialty, ctx.lang),
            "when": when_text(new.start, ctx.lang)}
    ctx.reply.say("rescheduled", **what, reference=new.reference)
    # for screens (the kiosk's confirmation card with a QR code of the reference)
    ctx.reply.custom({"event": "confirmation", "kind": "rescheduled",
                      "reference": new.reference, "clinic": clinic_name(new, ctx.lang), **what})
    return done(ctx)
