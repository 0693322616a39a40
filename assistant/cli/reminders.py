"""`assistant reminders run`: call the patients whose visit is tomorrow (docs/reminder-calls.md).

One run, as cron, a systemd timer or the Kubernetes CronJob starts it:
1. outside the calling window (`reminders.window_start`-`window_end`, `city.timezone`) it stops;
2. asks the city for the visits due (tomorrow, still booked, no final outcome, fewer than
   `reminders.max_attempts` calls, the last one at least `retry_after_min` ago);
3. for each (at most `max_calls`): takes the call's one-time ticket from the city (the attempt is
   counted; the ticket is the call's UUID), has Asterisk call the patient (AMI Originate into
   `reminders.context`, which hands the answered call to the gateway's AudioSocket server with
   that UUID), follows the call to its end, and stores the outcome
   on the visit: `no_answer`, `failed`, or `answered` (the city reads the visit: confirmed,
   cancelled, rescheduled, or no decision).
Phone numbers are masked in everything it prints and logs.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer
from rich.console import Console

from assistant.cli.ami_dialer import AmiError, Dialer
from assistant.settings import ReminderSettings, Settings, load_settings

app = typer.Typer(help="Reminder calls the day before a visit.", no_args_is_help=True)
console = Console()
HTTP_TIMEOUT_S = 15.0


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="reminders")


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_window(local: datetime, start: str, end: str) -> bool:
    """Calls go out from `start` (inclusive) to `end` (exclusive), local time; a window whose
    end is before its start runs over midnight."""
    now, first, last = local.time().replace(tzinfo=None), _clock(start), _clock(end)
    if first <= last:
        return first <= now < last
    return now >= first or now < last


def due_params(rules: ReminderSettings) -> dict[str, int]:
    """The retry rules, as the city's `GET /health/v1/reminders/due` applies them."""
    return {"max_attempts": rules.max_attempts, "retry_after_s": rules.retry_after_min * 60,
            "limit": rules.max_calls}


def masked_phone(phone: str) -> str:
    """'+74950000101' -> '+7*******01'."""
    digits = phone.lstrip("+")
    if len(digits) <= 3:
        return "*" * len(phone)
    return ("+" if phone.startswith("+") else "") + digits[0] + "*" * (len(digits) - 3) + \
        digits[-2:]


@dataclass(frozen=True)
class Placed:
    reference: str
    phone: str  # masked
    outcome: str


class Reminders:
    """One run's HTTP and AMI conversations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rules = settings.reminders
        city_key = (settings.city.clients.get("reminders") or os.environ.get("CITY_API_KEY")
                    or settings.city.api_key)
        self.city = httpx.AsyncClient(
            base_url=settings.city.url or settings.url("cityservices"),
            headers={"X-API-Key": city_key}, timeout=HTTP_TIMEOUT_S)

    async def aclose(self) -> None:
        await self.city.aclose()

    async def due(self) -> list[dict[str, Any]]:
        answer = await self.city.get("/health/v1/reminders/due", params=due_params(self.rules))
        answer.raise_for_status()
        return list(answer.json()["reminders"])

    async def place(self, dialer: Dialer, due: dict[str, Any]) -> Placed | None:
        """One call; None when the visit stopped being booked since it was listed."""
        appointment = int(due["appointment_id"])
        started = await self.city.post(f"/health/v1/reminders/{appointment}/calls")
        if started.status_code == httpx.codes.CONFLICT:
            return None
        started.raise_for_status()
        call_id = str(started.json()["ticket"])  # the call's UUID is its one-time ticket
        result = await dialer.call(
            channel=self.rules.dial.format(phone=due["phone"]), context=self.rules.context,
            caller_id=self.rules.caller_id, call_id=call_id, lang=str(due["lang"]),
            ring_timeout_s=self.rules.ring_timeout_s, call_limit_s=self.rules.call_limit_s)
        stored = await self.city.post(f"/health/v1/reminders/{appointment}/outcome",
                                      json={"outcome": result})
        stored.raise_for_status()
        return Placed(str(due["reference"]), masked_phone(str(due["phone"])),
                      str(stored.json()["outcome"]))

    async def run(self) -> list[Placed]:
        rules = self.rules
        due = await self.due()
        if not due:
            return []
        placed: list[Placed] = []
        async with Dialer(rules.ami_host, rules.ami_port, rules.ami_username,
                          rules.ami_secret) as dialer:
            for item in due:
                done = await self.place(dialer, item)
                if done is not None:
                    console.print(f"{done.reference} {done.phone}: {done.outcome}")
                    placed.append(done)
        return placed


async def run_once(settings: Settings) -> list[Placed]:
    reminders = Reminders(settings)
    try:
        return await reminders.run()
    finally:
        await reminders.aclose()


@app.command("run")
def run(
    force: Annotated[bool, typer.Option(
        help="Call even outside the calling window (a test call by an operator).")] = False,
) -> None:
    """Call the patients whose visit is tomorrow; store each call's outcome on the visit."""
    settings = load_settings()
    rules = settings.reminders
    local = datetime.now(ZoneInfo(settings.city.timezone))
    if not force and not in_window(local, rules.window_start, rules.window_end):
        console.print(f"{local:%H:%M} is outside the calling window {rules.window_start}–"
                      f"{rules.window_end} ({settings.city.timezone}): no calls now")
        return
    if not rules.ami_secret:
        console.print("[red]reminders.ami_secret is empty: set it (or "
                      "ASSISTANT_REMINDERS__AMI_SECRET) to the AMI user's secret[/red]")
        raise typer.Exit(2)
    try:
        placed = asyncio.run(run_once(settings))
    except AmiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    except httpx.HTTPError as exc:
        console.print(f"[red]the city API failed: {exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{len(placed)} reminder call(s) placed")
