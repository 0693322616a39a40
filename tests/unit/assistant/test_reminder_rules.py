"""Reminder calls: the daytime window, the retry rules sent to the city, masked numbers, and the
gateway's marking of reminder calls and their keys (assistant/cli/reminders.py,
assistant/gateway/reminder_calls.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from assistant.cli import main
from assistant.cli.reminders import due_params, in_window, masked_phone
from assistant.gateway.reminder_calls import reminder_call
from assistant.gateway.wire import Reply
from assistant.settings import ReminderSettings
from cityservices.services.reminders import call_ticket

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(("clock", "inside"), [
    ("08:59", False), ("09:00", True), ("13:30", True), ("19:59", True), ("20:00", False),
    ("23:30", False), ("03:00", False),
])
def test_calls_go_out_in_the_daytime_only(clock: str, inside: bool) -> None:
    hour, minute = map(int, clock.split(":"))
    local = datetime(2026, 12, 1, hour, minute, tzinfo=MSK)
    assert in_window(local, "09:00", "20:00") is inside


def test_a_window_may_run_over_midnight() -> None:
    assert in_window(datetime(2026, 12, 1, 23, 0, tzinfo=MSK), "22:00", "06:00")
    assert in_window(datetime(2026, 12, 1, 5, 59, tzinfo=MSK), "22:00", "06:00")
    assert not in_window(datetime(2026, 12, 1, 12, 0, tzinfo=MSK), "22:00", "06:00")


def test_the_window_must_be_clock_times() -> None:
    with pytest.raises(ValueError, match="window_start"):
        ReminderSettings(window_start="9 am")
    with pytest.raises(ValueError, match="window_end"):
        ReminderSettings(window_end="24:00")


def test_the_retry_rules_go_to_the_city() -> None:
    rules = ReminderSettings(max_attempts=2, retry_after_min=90, max_calls=5)
    assert due_params(rules) == {"max_attempts": 2, "retry_after_s": 5400, "limit": 5}
    with pytest.raises(ValueError, match="max_attempts"):
        ReminderSettings(max_attempts=0)


def test_phone_numbers_are_masked() -> None:
    assert masked_phone("+74950000101") == "+7********01"
    assert "0000" not in masked_phone("84950000101")


def test_a_version_8_uuid_marks_a_reminder_call() -> None:
    ticket = call_ticket()
    assert uuid.UUID(ticket).version == 8
    assert reminder_call(ticket) is not None
    assert reminder_call(str(uuid.uuid4())) is None  # Asterisk's UUID(): an incoming call
    assert reminder_call("not-a-uuid") is None
    assert len({call_ticket() for _ in range(100)}) == 100


def test_one_key_answers_the_question_asked() -> None:
    call = reminder_call(call_ticket())
    assert call is not None
    assert call.key("1") is None  # nothing asked yet: the key goes into a keypad entry
    ask = {"type": "expect", "slot": "reminder_choice", "phrases": ["подтверждаю"]}
    call.observe([Reply(("Напоминаем...",), (ask,))])
    assert [call.key(k) for k in "123#"] == ["1", "2", "3", None]
    yes_no = {"type": "expect", "slot": "yes_no", "phrases": ["да", "нет"]}
    call.observe([Reply(("Отменить запись?",), (yes_no,))])
    assert (call.key("1"), call.key("2"), call.key("3")) == ("да", "нет", "3")
    call.observe([Reply(("Назовите номер полиса.",), (
        {"type": "expect", "slot": "policy_number", "phrases": []},))])
    assert call.key("7") is None  # digits of a number are typed and ended with #


def _window_without_now() -> dict[str, str]:
    now = datetime.now(MSK)
    return {"ASSISTANT_REMINDERS__WINDOW_START": f"{now + timedelta(hours=2):%H:%M}",
            "ASSISTANT_REMINDERS__WINDOW_END": f"{now + timedelta(hours=3):%H:%M}"}


def test_outside_the_window_the_command_calls_no_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _window_without_now().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ASSISTANT_REMINDERS__AMI_PORT", "1")  # nothing listens: never reached
    result = CliRunner().invoke(main.app, ["reminders", "run"])
    assert result.exit_code == 0, result.output
    assert "outside the calling window" in result.output and "no calls now" in result.output


def test_without_an_ami_secret_the_command_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_REMINDERS__AMI_SECRET", raising=False)
    result = CliRunner().invoke(main.app, ["reminders", "run", "--force"])
    assert result.exit_code == 2 and "reminders.ami_secret is empty" in result.output
