"""Reminder calls on the stack `assistant up` runs: real city services, Rasa, action server and
gateway (its AudioSocket server and espeak-ng speech).

- By key: `assistant reminders run` (a real subprocess) lists the visits due tomorrow, takes each
  call's ticket (the call's UUID) and places the call through a fake Asterisk
  manager (tests/fixtures/fake_ami.py: the real AMI protocol over TCP), whose patient answers
  on the gateway's AudioSocket port and presses keys. The outcome stored on the visit and the
  city's state are checked, and the call's transcript is saved in test-artifacts/.
- By voice: the call is opened the same way (the city's ticket is the AudioSocket call's UUID),
  then the patient's answers go through POST /v1/text in the same conversation, as Vosk writes
  them.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from assistant.cli.audiosocket_caller import FakeAsterisk
from tests.fixtures.fake_ami import FakeAmi, PatientCall
from tests.fixtures.stack import (
    ASSISTANT,
    ROOT,
    RunningStack,
    appointments,
    patient_token,
    without_visits,
)

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

MSK = ZoneInfo("Europe/Moscow")
ARTIFACTS = ROOT / "test-artifacts"
AMI_SECRET = "test-ami-secret"
COMMAND_LIMIT_S = 600  # the command is stopped after this (a hang, not a measurement)
MARIA = ("7700000000000025", "2015-09-05", "+74950000104")  # ru
IVAN = ("7712345678901234", "1985-03-14", "+74950000101")  # ru
SERGEI = ("7700000000000017", "1978-06-30", "+74950000103")  # en
SPECIALTIES = ("therapist", "surgeon", "neurologist", "dermatologist", "cardiologist",
               "ophthalmologist", "dentist", "otolaryngologist")


def _tomorrow_visit(stack: RunningStack, policy: str, birth: str) -> dict[str, Any]:
    """The patient's only visit, booked tomorrow (Moscow time) through the city API."""
    without_visits(stack, policy, birth)
    token = patient_token(stack, policy, birth)
    tomorrow = (datetime.now(MSK) + timedelta(days=1)).date().isoformat()
    for specialty in SPECIALTIES:
        slots = stack.city("GET", "/health/v1/slots", params={
            "specialty": specialty, "date_from": tomorrow, "date_to": tomorrow})["slots"]
        if slots:
            booked: dict[str, Any] = stack.city(
                "POST", "/health/v1/appointments", json={"slot_id": slots[0]["id"]},
                headers={"Authorization": f"Bearer {token}"})
            return booked
    pytest.fail(f"the demo data has no free slot on {tomorrow}")


def _reminder(stack: RunningStack, appointment_id: int) -> dict[str, Any]:
    state: dict[str, Any] = stack.city("GET", f"/health/v1/reminders/{appointment_id}")
    return state


def _window_now() -> dict[str, str]:
    """A calling window around the present moment (the daytime rule has its own unit tests)."""
    now = datetime.now(MSK)
    return {"ASSISTANT_REMINDERS__WINDOW_START": f"{now - timedelta(hours=1):%H:%M}",
            "ASSISTANT_REMINDERS__WINDOW_END": f"{now + timedelta(hours=1):%H:%M}"}


async def _run_reminders(stack: RunningStack, ami: FakeAmi) -> str:
    env = dict(os.environ, **_window_now(), ASSISTANT_PORTS__GATEWAY=str(stack.ports["gateway"]),
               ASSISTANT_PORTS__CITYSERVICES=str(stack.ports["cityservices"]),
               ASSISTANT_REMINDERS__AMI_PORT=str(ami.port),
               ASSISTANT_REMINDERS__AMI_SECRET=AMI_SECRET,
               ASSISTANT_REMINDERS__MAX_CALLS="200")
    process = await asyncio.create_subprocess_exec(
        *ASSISTANT, "reminders", "run", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), COMMAND_LIMIT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail("`assistant reminders run` did not finish")
    text = out.decode()
    assert process.returncode == 0, text
    return text


def _tracker_turns(stack: RunningStack, call_id: str) -> list[tuple[str, str]]:
    """(who, text) of the conversation, from Rasa's tracker; the opening trigger (it holds the
    spent ticket) is shown as what it was."""
    answer = httpx.get(f"{stack.rasa_url}/conversations/{call_id}/tracker",
                       params={"token": stack.rasa_token}, timeout=30)
    answer.raise_for_status()
    turns: list[tuple[str, str]] = []
    for event in answer.json()["events"]:
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            turns.append(("patient", "(the gateway opens the call: /reminder_call, ticket "
                          "withheld)" if text.startswith("/reminder_call") else text))
        elif event.get("event") == "bot" and event.get("text"):
            turns.append(("assistant", str(event["text"])))
    return turns


def _save_transcript(name: str, stack: RunningStack, call: PatientCall, appt: dict[str, Any],
                     outcome: str) -> Path:
    lines = [f"Reminder call {name}: visit {appt['reference']} at {appt['start']}, patient "
             f"{call.phone[:2]}********{call.phone[-2:]}, AMI Originate into context "
             f"'{call.context}', AudioSocket UUID {call.call_id}", ""]
    for who, text in _tracker_turns(stack, call.call_id):
        key = "" if who != "patient" or not text.isdigit() else " (a key, DTMF)"
        lines.append(f"{who:>9}: {text}{key}")
    lines += ["", f"keys pressed: {' '.join(call.keys)}; seconds of each prompt heard: "
              f"{', '.join(f'{s:.1f}' for s in call.prompts_s)}; hung up by {call.hung_up_by}",
              f"outcome stored on the visit: {outcome}"]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"reminder-call-{name}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _call_by_keys(stack: RunningStack, patient: tuple[str, str, str],
                        keys: list[str]) -> tuple[dict[str, Any], PatientCall, str]:
    policy, birth, phone = patient
    appt = await asyncio.to_thread(_tomorrow_visit, stack, policy, birth)
    async with FakeAmi(("127.0.0.1", stack.ports["audiosocket"]), {phone: keys},
                       secret=AMI_SECRET) as ami:
        output = await _run_reminders(stack, ami)
    assert not ami.errors, ami.errors
    mine = [c for c in ami.calls if c.phone == phone]
    assert len(mine) == 1, (output, ami.originates)
    assert any(phone in o["channel"] and o["context"] == "gorod-reminder"
               for o in ami.originates)
    assert phone not in output and f"{appt['reference']} {phone[:2]}" in output  # masked
    return appt, mine[0], output


async def test_key_1_confirms_the_visit(stack: RunningStack) -> None:
    appt, call, _ = await _call_by_keys(stack, MARIA, ["1"])
    state = await asyncio.to_thread(_reminder, stack, appt["id"])
    assert (state["outcome"], state["status"], state["attempts"]) == ("confirmed", "booked", 1)
    assert call.hung_up_by == "gateway"  # the goodbye ends the call
    turns = await asyncio.to_thread(_tracker_turns, stack, call.call_id)
    said = " ".join(t for who, t in turns if who == "assistant")
    assert "Напоминаем: завтра в " + appt["start"][11:16] in said
    assert "Нажмите 1" in said and "визит подтверждён" in said
    _save_transcript("ru-confirm-by-key", stack, call, appt, state["outcome"])


async def test_key_2_then_yes_cancels_the_visit(stack: RunningStack) -> None:
    appt, call, _ = await _call_by_keys(stack, IVAN, ["2", "1"])
    state = await asyncio.to_thread(_reminder, stack, appt["id"])
    assert (state["outcome"], state["status"]) == ("cancelled", "cancelled")
    token = await asyncio.to_thread(patient_token, stack, IVAN[0], IVAN[1])
    left = await asyncio.to_thread(appointments, stack, token)
    assert appt["id"] not in {a["id"] for a in left}  # really cancelled in the city
    turns = await asyncio.to_thread(_tracker_turns, stack, call.call_id)
    assert ("patient", "да") in turns  # key 1 answered "Отменить запись ...?" as "да"
    _save_transcript("ru-cancel-by-key", stack, call, appt, state["outcome"])


async def test_key_3_reschedules_in_english(stack: RunningStack) -> None:
    appt, call, _ = await _call_by_keys(stack, SERGEI, ["3", "1", "1"])
    state = await asyncio.to_thread(_reminder, stack, appt["id"])
    assert (state["outcome"], state["status"]) == ("rescheduled", "cancelled")
    token = await asyncio.to_thread(patient_token, stack, SERGEI[0], SERGEI[1])
    moved = await asyncio.to_thread(appointments, stack, token)
    assert [a["serviceType"] for a in moved] == [appt["serviceType"]]
    assert moved[0]["start"][:10] > appt["start"][:10]  # a later day than the visit
    turns = await asyncio.to_thread(_tracker_turns, stack, call.call_id)
    said = " ".join(t for who, t in turns if who == "assistant")
    assert "This is a reminder: tomorrow at" in said and "appointment is moved" in said
    _save_transcript("en-reschedule-by-key", stack, call, appt, state["outcome"])


async def test_a_patient_who_does_not_answer_is_called_again_later(stack: RunningStack) -> None:
    policy, birth, phone = MARIA
    appt = await asyncio.to_thread(_tomorrow_visit, stack, policy, birth)
    async with FakeAmi(("127.0.0.1", stack.ports["audiosocket"]), {},
                       secret=AMI_SECRET) as ami:  # no script: every phone rings out
        output = await _run_reminders(stack, ami)
    state = await asyncio.to_thread(_reminder, stack, appt["id"])
    assert (state["outcome"], state["attempts"], state["status"]) == ("no_answer", 1, "booked")
    assert f"{appt['reference']} +7********04: no_answer" in output
    async with FakeAmi(("127.0.0.1", stack.ports["audiosocket"]), {phone: ["1"]},
                       secret=AMI_SECRET) as ami:
        await _run_reminders(stack, ami)  # within retry_after_min: not called again yet
    assert not [c for c in ami.calls if c.phone == phone]
    assert (await asyncio.to_thread(_reminder, stack, appt["id"]))["attempts"] == 1


async def _answered(stack: RunningStack, call_id: str) -> str:
    """Asterisk connects the answered call with this UUID; the patient hangs up after the first
    prompt. What the assistant said last (the opening)."""
    async with FakeAsterisk("127.0.0.1", stack.ports["audiosocket"], uuid.UUID(call_id)) as line:
        await line.wait_audio_after(0.0, timeout_s=120)
    turns = await asyncio.to_thread(_tracker_turns, stack, call_id)
    return [t for who, t in turns if who == "assistant"][-1]


async def _open_by_voice(stack: RunningStack, patient: tuple[str, str, str],
                         ) -> tuple[dict[str, Any], str, str]:
    """A reminder call opened as the command opens it; the patient hangs up after the reminder
    and the conversation goes on as text (what Vosk would have written)."""
    policy, birth, _ = patient
    appt = await asyncio.to_thread(_tomorrow_visit, stack, policy, birth)
    ticket = (await asyncio.to_thread(
        stack.city, "POST", f"/health/v1/reminders/{appt['id']}/calls"))["ticket"]
    return appt, ticket, await _answered(stack, ticket)


def _say(stack: RunningStack, call_id: str, text: str, lang: str) -> str:
    body = stack.text(call_id, text, lang, channel="phone")
    return " | ".join(r["text"] for r in body["replies"])


async def test_a_spent_or_forged_ticket_opens_nothing(stack: RunningStack) -> None:
    appt, ticket, _ = await _open_by_voice(stack, MARIA)  # the ticket is spent now
    forged = str(uuid.UUID(int=uuid.UUID(ticket).int ^ (1 << 10)))  # a version-8 UUID too
    for call_id in (ticket, forged):  # a replayed call, and a guessed one
        said = await _answered(stack, call_id)
        assert "больше не действует" in said, said
        assert "приём" not in said and appt["start"][11:16] not in said
    assert (await asyncio.to_thread(_reminder, stack, appt["id"]))["attempts"] == 1


async def test_a_caller_cannot_start_a_reminder_by_text(stack: RunningStack) -> None:
    session = f"e2e-fake-reminder-{uuid.uuid4().hex[:8]}"
    answer = await asyncio.to_thread(
        httpx.post, f"{stack.gateway_url}/v1/text",
        json={"session_id": session, "text": '/reminder_call{"reminder_ticket": "x"}',
              "lang": "ru"}, timeout=30)
    assert answer.status_code == 422  # trigger syntax is refused (assistant/gateway/guard.py)


async def test_voice_ru_confirm(stack: RunningStack) -> None:
    appt, call_id, reminder = await _open_by_voice(stack, MARIA)
    assert reminder.startswith("Напоминаем: завтра в " + appt["start"][11:16] + " приём у ")
    said = await asyncio.to_thread(_say, stack, call_id, "да подтверждаю я приду", "ru")
    assert "визит подтверждён" in said
    state = await asyncio.to_thread(_reminder, stack, appt["id"])
    assert state["outcome"] == "confirmed"


async def test_voice_ru_cancel(stack: RunningStack) -> None:
    appt, call_id, _ = await _open_by_voice(stack, IVAN)
    said = await asyncio.to_thread(_say, stack, call_id, "отмените пожалуйста", "ru")
    assert "Отменить" in said
    said = await asyncio.to_thread(_say, stack, call_id, "да", "ru")
    assert "отменена" in said.lower()
    token = await asyncio.to_thread(patient_token, stack, IVAN[0], IVAN[1])
    assert appt["id"] not in {a["id"] for a in await asyncio.to_thread(appointments, stack,
                                                                        token)}


async def test_voice_ru_reschedule_to_a_named_day(stack: RunningStack) -> None:
    appt, call_id, _ = await _open_by_voice(stack, MARIA)
    said = await asyncio.to_thread(_say, stack, call_id, "перенесите на послезавтра", "ru")
    assert "свободно" in said, said
    said = await asyncio.to_thread(_say, stack, call_id, "давайте первый", "ru")
    assert "Подтверждаете" in said, said
    said = await asyncio.to_thread(_say, stack, call_id, "да", "ru")
    assert "Запись перенесена" in said, said
    token = await asyncio.to_thread(patient_token, stack, MARIA[0], MARIA[1])
    moved = await asyncio.to_thread(appointments, stack, token)
    day_after = (datetime.fromisoformat(appt["start"]) + timedelta(days=1)).date().isoformat()
    assert [a["start"][:10] for a in moved] == [day_after]


async def test_voice_en_confirm_and_cancel(stack: RunningStack) -> None:
    appt, call_id, reminder = await _open_by_voice(stack, SERGEI)
    assert reminder.startswith("This is a reminder: tomorrow at " + appt["start"][11:16])
    said = await asyncio.to_thread(_say, stack, call_id, "i can not come", "en")
    assert "Cancel" in said
    said = await asyncio.to_thread(_say, stack, call_id, "yes", "en")
    assert "cancelled" in said.lower()
    token = await asyncio.to_thread(patient_token, stack, SERGEI[0], SERGEI[1])
    assert appt["id"] not in {a["id"] for a in await asyncio.to_thread(appointments, stack,
                                                                        token)}
    appt, call_id, _ = await _open_by_voice(stack, SERGEI)
    said = await asyncio.to_thread(_say, stack, call_id, "yes i will be there", "en")
    assert "confirmed" in said
    assert (await asyncio.to_thread(_reminder, stack, appt["id"]))["outcome"] == "confirmed"
