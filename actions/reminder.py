"""The reminder call the day before a visit: "Напоминаем: завтра в 10:00 приём у терапевта,
городская поликлиника № 5. Подтвердите, отмените или перенесите."

Only the gateway starts it, with the trigger `/reminder_call{"reminder_ticket": "<call uuid>"}`
as the first turn of a call that `assistant reminders run` placed
(assistant/gateway/reminder_calls.py). It speaks the patient's language (the city's record).
A caller's own text can never be a trigger (assistant/gateway/guard.py), and the ticket is the
proof besides: a one-time secret the city issued for this call, redeemed here for the patient's
token and the visit (cityservices/services/reminders.py). No ticket, or a spent one: the caller
hears that the reminder is no longer valid, and nothing of the visit.

The answer, by voice or by key (1 confirm, 2 cancel, 3 reschedule): a confirmation is stored on
the visit; cancel and reschedule go on in the ordinary cancel / reschedule tasks
(actions/appointments.py), bound to this visit and this patient.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from rasa_sdk.events import EventType, SlotSet

from actions import clock
from actions.base import entity, intent_name
from actions.city_client import Appointment, NotFound, RedeemedReminder
from actions.health_text import clinic_name, specialty_name, time_text, when_text
from actions.messages_booking import MONTHS
from actions.parsing import parse_date
from actions.repair import yes_no
from actions.tasks import TASKS, TaskContext, ask, done, task, waiting
from actions.vault import keep_token

logger = logging.getLogger(__name__)

Choice = Literal["confirm", "cancel", "reschedule"]
TASK = "reminder_call"
KEYS: dict[str, Choice] = {"1": "confirm", "2": "cancel", "3": "reschedule",
                           "один": "confirm", "два": "cancel", "три": "reschedule",
                           "one": "confirm", "two": "cancel", "three": "reschedule"}
_RESCHEDULE = re.compile(r"перен[её]с|перезапис|другой день|другое время|reschedul|\bmove\b|"
                         r"another (?:day|time)|postpone")
_CANCEL = re.compile(r"отмен|не приду|не смогу|не буду|cancel|can ?not come|cannot come|"
                     r"won ?t come|not coming")
_CONFIRM = re.compile(r"подтвер|приду|буду|confirm|i will come|i ll come|be there|coming")
PHRASES = {"ru": ["подтверждаю", "да", "отменить", "перенести", "один", "два", "три"],
           "en": ["confirm", "yes", "cancel", "reschedule", "one", "two", "three"]}


@runtime_checkable
class ReminderApi(Protocol):
    """What a reminder needs of the city besides `CityApi` (`CityClient` has both)."""

    async def redeem_reminder(self, ticket: str) -> RedeemedReminder: ...

    async def reminder_outcome(self, appointment_id: str | int, outcome: str) -> None: ...


def choice_of(answer: str) -> Choice | None:
    """The patient's answer to the reminder: a key, a number said ("один"), or the words."""
    said = " ".join(re.findall(r"\w+", answer.lower().replace("'", "")))
    if said in KEYS:
        return KEYS[said]
    if _RESCHEDULE.search(said):
        return "reschedule"
    if _CANCEL.search(said):
        return "cancel"
    if _CONFIRM.search(said) or yes_no(answer) is True:
        return "confirm"
    return None


def _day(start: str, lang: str, today: date) -> str:
    if start[:10] == (today + timedelta(days=1)).isoformat():
        return "завтра" if lang == "ru" else "tomorrow"
    return when_text(start, lang).rsplit(", ", 1)[0]


def _spoken_date(day: date, lang: str) -> str:
    """A date as the date parser reads it: "3 декабря", "December 3"."""
    month = MONTHS[lang][day.month - 1]
    return f"{day.day} {month}" if lang == "ru" else f"{month} {day.day}"


def _next_day(start: str) -> date:
    """The first day after the visit with surgeries (Sunday skipped): offered when the patient
    asks to move the visit without naming a day."""
    day = date.fromisoformat(start[:10]) + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def reminder_text(ctx: TaskContext, appt: Appointment) -> str:
    clinic = clinic_name(appt, ctx.lang)
    if ctx.lang == "ru" and clinic:
        clinic = clinic[0].lower() + clinic[1:]
    specialty = specialty_name(appt.service_type, ctx.lang)  # "у терапевта": the genitive
    return ctx.reply.say("reminder_call", day=_day(appt.start, ctx.lang, clock.today()),
                         time=time_text(appt.start), clinic=clinic,
                         specialty_of=specialty + "а" if ctx.lang == "ru" else specialty)


@task(TASK)
async def reminder_call(ctx: TaskContext) -> list[EventType]:
    if intent_name(ctx.tracker) == TASK or "appointment" not in ctx.data:
        return await _open(ctx)  # the gateway's trigger (a replayed one too) opens the call
    return await _answer(ctx)


async def _open(ctx: TaskContext) -> list[EventType]:
    ticket = entity(ctx.tracker, "reminder_ticket")
    client = ctx.client
    if not ticket or not isinstance(client, ReminderApi):
        ctx.reply.say("reminder_unavailable")
        return done(ctx)
    try:
        redeemed = await client.redeem_reminder(ticket)
    except NotFound:
        logger.info("a reminder call with a spent or unknown ticket")
        ctx.reply.say("reminder_unavailable")
        return done(ctx)
    appt = redeemed.appointment
    logger.info("reminder call for appointment %s", appt.reference)
    if redeemed.lang in ("ru", "en") and redeemed.lang != ctx.lang:
        ctx.reply.lang = redeemed.lang  # the patient's language, for the call's voice too
        ctx.reply.custom({"event": "language", "lang": redeemed.lang})
    ctx.data = {"appointment": appt.model_dump(by_alias=True),
                "token": keep_token(redeemed.token)}
    reminder_text(ctx, appt)
    ctx.reply.expect("reminder_choice", PHRASES[ctx.lang])
    return [SlotSet("patient_token", keep_token(redeemed.token)),
            waiting(ctx, "ask", "choice"), SlotSet("task", TASK)]


async def _answer(ctx: TaskContext) -> list[EventType]:
    appt: dict[str, Any] = ctx.data["appointment"]
    choice = choice_of(ctx.answer or "")
    if choice is None:
        return ask(ctx, "choice", "reminder_choice_format", "reminder_choice_format",
                   "reminder_choice", PHRASES[ctx.lang], failed=True)
    logger.info("reminder of appointment %s answered: %s", appt.get("reference"), choice)
    if choice == "confirm":
        return await _confirm(ctx, appt)
    answer = ctx.answer or ""
    said_day = (choice == "reschedule" and answer.strip() not in KEYS
                and parse_date(answer, ctx.lang, clock.today()) is not None)
    ctx.task = "cancel_appointment" if choice == "cancel" else "reschedule_appointment"
    day = _spoken_date(_next_day(str(appt["start"])), ctx.lang)
    ctx.data = {"appointment": appt, "token": ctx.data["token"],
                "request_text": answer if said_day else day}
    ctx.answer, ctx.fails = None, 0
    events = await TASKS[ctx.task](ctx)
    if choice == "cancel":
        ctx.reply.say("reminder_yes_no_keys")
    return events


async def _confirm(ctx: TaskContext, appt: dict[str, Any]) -> list[EventType]:
    client = ctx.client
    assert isinstance(client, ReminderApi)  # the opening turn checked it
    await client.reminder_outcome(appt["id"], "confirmed")
    start = str(appt["start"])
    ctx.reply.say("reminder_confirmed", day=_day(start, ctx.lang, clock.today()),
                  time=time_text(start))
    ctx.reply.custom({"event": "end_session", "reason": "reminder-confirmed"})
    return done(ctx)
