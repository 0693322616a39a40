"""Fault injection: kill -9 of each child in turn during a booking dialogue (issue 11, "a crash
loses nothing").

A stack of its own (`assistant up`, tests/fixtures/stack.py, on free loopback ports, with its own
city database, tracker database and logs): for each child (cityservices, actions, rasa, gateway)
a Russian booking dialogue over POST /v1/text is begun, the child is killed with SIGKILL once the
offers are read out (the form half-filled: policy, birth date, offers in the tracker), the
supervisor restarts it alone, and the dialogue goes on to the end. Exactly one booking then
exists for the patient, with the reference the caller was told. While Rasa is down a turn gets
the spoken "one moment" line. Bounded: four dialogues, each restart waited for at most
RESTART_WAIT_S (Rasa reloads its model in ~20-40 s alone, minutes on a busy machine).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.fixtures.stack import (
    SERVICES,
    RunningStack,
    appointments,
    children_of,
    patient_token,
    start_stack,
    stop_stack,
)

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

IVAN = ("семь семь один два три четыре пять шесть семь восемь девять ноль один два три четыре",
        "четырнадцатого марта тысяча девятьсот восемьдесят пятого года")
POLICY, BIRTH = "7712345678901234", "1985-03-14"
RESTART_WAIT_S = 540.0  # like START_TIMEOUT_S: a busy 2-core machine loads Rasa in minutes
@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    tmp = tmp_path_factory.mktemp("faults")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_DIALOGUE__TRACKER_STORE_URL", f"sqlite:///{tmp / 'tracker.db'}")
        env.setenv("ASSISTANT_SUPERVISOR__RESTART_BACKOFF_S", "0.5")
        running = start_stack(Path(tmp), free_port)
    try:
        yield running
    finally:
        stop_stack(running)


def pid_of(stack: RunningStack, name: str) -> int:
    """The child of `assistant up` started with `--port <the port of name>`."""
    wanted = [b"--port", str(stack.ports[name]).encode()]
    for pid in children_of(stack.process.pid):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(args[i:i + 2] == wanted for i in range(len(args) - 1)):
            return pid
    raise AssertionError(f"no child process of `assistant up` is {name}")


def say(stack: RunningStack, session: str, text: str, *expected: str) -> dict[str, Any]:
    body = stack.text(session, text, "ru")
    said = " | ".join(r["text"] for r in body["replies"])
    for needle in expected:
        assert needle in said, f"{text!r} -> {said!r} (wanted {needle!r})"
    return body


def cancel_all(stack: RunningStack) -> None:
    token = patient_token(stack, POLICY, BIRTH)
    for appt in appointments(stack, token):
        stack.city("DELETE", f"/health/v1/appointments/{appt['id']}",
                   headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("name", SERVICES)
def test_kill_9_mid_booking_then_exactly_one_booking(own_stack: RunningStack, name: str) -> None:
    stack = own_stack.require_up()
    cancel_all(stack)
    session = f"fault-{name}-{uuid.uuid4().hex[:8]}"
    say(stack, session, "запишите меня к лору на послезавтра", "полис")
    say(stack, session, IVAN[0], "7712 3456 7890 1234")
    say(stack, session, IVAN[1], "Иван Петров", "свободно")

    mark = stack.seen()
    victim = pid_of(stack, name)
    os.kill(victim, signal.SIGKILL)
    if name == "rasa":  # a turn while Rasa is down: "one moment", never silence
        body = say(stack, session, "первый", "Одну минуту")
        assert body["events"] == [{"type": "error", "code": "dialogue-unreachable"}]
    started = time.monotonic()
    stack.wait_for(f"{name} exited with code -9", after=mark, timeout_s=30)
    stack.wait_for(f"↻ {name} restarted, healthy", after=mark, timeout_s=RESTART_WAIT_S)
    assert pid_of(stack, name) != victim
    others = [n for n in SERVICES if n != name]
    assert not [line for line in stack.output[mark:]
                if any(f"{n} exited" in line for n in others)], "only the killed child restarted"

    say(stack, session, "первый", "Подтверждаете")
    last = say(stack, session, "да", "Номер записи")
    reference = last["replies"][-1]["text"].split("Номер записи")[1].strip(" .")
    booked = appointments(stack, patient_token(stack, POLICY, BIRTH))
    assert [a["reference"] for a in booked] == [reference], (
        f"after killing {name} ({time.monotonic() - started:.0f} s to restart): {booked}")
