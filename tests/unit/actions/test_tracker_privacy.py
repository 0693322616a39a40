"""What the tracker store keeps (nlu/tracker_privacy.py, loaded by path: it runs in Rasa's env)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SOURCE = Path(__file__).resolve().parents[3] / "nlu" / "tracker_privacy.py"
POLICY, TOKEN = "7712345678901234", "3KgzahpoWZ7NzE0EteNRVS7QfeEYtr6oQiTb4GQoJ84"


@pytest.fixture(scope="module")
def privacy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tracker_privacy", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text", [
    "7712345678901234", "полис 7712 3456 7890 1234", "Полис 7712-3456-7890-1234.",
    "march 14 1985", "14 марта 1985 года", "14th of March, 1985", "1985-03-14", "14.03.1985",
    "born in 1985",
])
def test_user_and_bot_text_lose_policy_and_birth_date(privacy: ModuleType, text: str) -> None:
    masked = privacy.mask_text(text)
    assert "1985" not in masked and "7712" not in masked and "3456" not in masked


def test_what_later_turns_and_the_audit_need_stays(privacy: ModuleType) -> None:
    said = "Готово! хирург, пятница, 11 декабря, 08:00. Номер записи A000044."
    assert privacy.mask_text(said) == said
    assert privacy.mask_text("Полис 7712 3456 7890 1234.") == "Полис ************1234."


def test_an_answer_to_the_birth_question_keeps_no_digit(privacy: ModuleType) -> None:
    events = [{"event": "slot", "name": "requested_slot", "value": "birth_date"},
              {"event": "user", "text": "14385", "parse_data": {"text": "14385", "entities": [
                  {"entity": "number", "value": "14385"}]}},
              {"event": "slot", "name": "requested_slot", "value": "date_pref"},
              {"event": "user", "text": "на 12 июня", "parse_data": {"text": "на 12 июня"}}]
    stored = privacy.mask_events(events)
    assert stored[1]["text"] == "*****" and stored[1]["parse_data"]["text"] == "*****"
    assert stored[1]["parse_data"]["entities"][0]["value"] == "*****"
    assert stored[3]["text"] == "на 12 июня"


def test_personal_slots_are_masked_and_others_kept(privacy: ModuleType) -> None:
    def slot(name: str, value: Any) -> dict[str, Any]:
        return {"event": "slot", "name": name, "value": value}

    events = [slot("policy_number", POLICY), slot("birth_date", "1985-03-14"),
              slot("patient_token", TOKEN), slot("patient_name", "Иван Петров"),
              slot("date_pref", "2026-12-01"), slot("troika_card", "0123456789"),
              slot("pending", {"kind": "ask", "need": "birth", "answer": "march 14 1985",
                               "data": {"policy": POLICY, "token": TOKEN, "stage": "birth",
                                        "start": "2026-12-01T08:00:00+03:00"}}),
              slot("last_reply", {"texts": ["Спасибо, Иван Петров, вы опознаны."], "lang": "ru"}),
              {"event": "bot", "text": "Thank you, Иван Петров. Полис 7712 3456 7890 1234.",
               "data": {"custom": {"event": "display", "text": "7712 3456 7890 1234"}}}]
    stored = {(e.get("name") or e["event"]): e for e in privacy.mask_events(events)}
    assert stored["policy_number"]["value"] == "************1234"
    assert stored["birth_date"]["value"] == "****-**-**"
    assert stored["patient_token"]["value"] == "***"
    assert stored["patient_name"]["value"] == "И. П."
    assert stored["date_pref"]["value"] == "2026-12-01"
    assert stored["troika_card"]["value"] == "0123456789"
    pending = stored["pending"]["value"]
    assert pending["data"] == {"policy": "***", "token": "***", "stage": "birth",
                               "start": "2026-12-01T08:00:00+03:00"}
    assert pending["answer"] == "**.**.****"
    assert stored["last_reply"]["value"]["texts"] == ["Спасибо, И. П., вы опознаны."]
    text = str(stored["bot"])
    assert "Иван" not in text and "7712" not in text and TOKEN not in str(stored)


def test_masking_twice_changes_nothing(privacy: ModuleType) -> None:
    events = [{"event": "slot", "name": "patient_name", "value": "Иван Петров"},
              {"event": "bot", "text": "Спасибо, Иван Петров. Полис 7712 3456 7890 1234."},
              {"event": "user", "text": "march 14 1985", "parse_data": {"text": "x"}}]
    once = privacy.mask_events(events)
    assert privacy.mask_events(once) == once
    assert privacy.mask_events(events, first_new=2) == once[2:]


def test_sealed_slots_are_stored_as_they_are(privacy: ModuleType) -> None:
    """actions/vault.py seals what later turns need: ciphertext, which the store must keep."""
    from actions.vault import held_policy, held_token, seal

    policy, token = seal(POLICY), seal(TOKEN)
    assert privacy.mask_slot("policy_number", policy) == policy
    assert privacy.mask_slot("patient_token", token) == token
    pending = privacy.mask_slot("pending", {"data": {"policy": policy, "token": token}})
    assert held_policy(pending["data"]["policy"]) == POLICY
    assert held_token(pending["data"]["token"]) == TOKEN
    assert privacy.mask_slot("policy_number", POLICY) == "************1234"  # plain: masked


def test_failure_counts_under_personal_keys_are_kept(privacy: ModuleType) -> None:
    """`failures` counts bad answers per question: a number, not personal data."""
    assert privacy.mask_slot("failures", {"policy_number": 2, "birth_date": 1}) == {
        "policy_number": 2, "birth_date": 1}
    assert privacy.mask_slot("pending", {"data": {"policy": POLICY}}) == {
        "data": {"policy": "***"}}
