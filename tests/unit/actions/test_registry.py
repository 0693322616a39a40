"""The registry of city tasks is the one source: Rasa's YAML, the action server's actions, the task
handlers and the message catalogue all agree with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import ActionExecutor

from actions import booking, dialogue, rasa_files, task_actions
from actions.messages import MESSAGES
from actions.registry import (
    CITY_TASKS,
    CONVERSATION,
    FORM_ACTIONS,
    CityTask,
    Conversation,
    city_task,
    entries,
    service_of,
)
from actions.tasks import TASKS

NLU = Path(__file__).resolve().parents[3] / "nlu"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _differ(what: str, committed: set[str], wanted: set[str]) -> list[str]:
    return ([f"{what} missing from the YAML: {sorted(wanted - committed)}"]
            if wanted - committed else []) + \
           ([f"{what} in the YAML but not in the registry: {sorted(committed - wanted)}"]
            if committed - wanted else [])


def test_committed_yaml_is_the_generated_yaml() -> None:
    stale = [str(path) for path, text in rasa_files.outputs(NLU).items()
             if path.read_text(encoding="utf-8") != text]
    assert not stale, f"{stale} differ from actions/registry.py: run python -m actions.rasa_files"


def test_domain_has_the_registrys_intents_and_actions() -> None:
    domain = _load(NLU / "domain.yml")
    intents = {e.intent for e in entries() if not isinstance(e, Conversation) or e.in_domain}
    problems = _differ("intents", set(domain["intents"]), intents)
    actions = {e.action for e in entries()} | set(FORM_ACTIONS)
    problems += _differ("actions", set(domain["actions"]) | set(domain.get("forms") or {}),
                        actions)
    assert not problems, problems


def test_rules_run_the_registrys_action_for_each_intent() -> None:
    rules = _load(NLU / "data" / "rules.yml")["rules"]
    single = {(r["steps"][0].get("intent"), r["steps"][1].get("action")) for r in rules
              if "condition" not in r and len(r["steps"]) >= 2}
    wanted = {(e.intent, e.action) for e in entries()}
    problems = _differ("rules (intent, action)", {f"{i} -> {a}" for i, a in single},
                       {f"{i} -> {a}" for i, a in wanted})
    in_form = {(r["steps"][0].get("intent"), r["steps"][2].get("action")) for r in rules
               if r.get("condition") and r["steps"][0].get("intent")}
    wanted_in_form = {(e.intent, "booking_form" if e.in_form == "digress" else
                       "action_deactivate_loop") for e in entries() if e.in_form != "none"}
    problems += _differ("booking interruptions", {f"{i}: {a}" for i, a in in_form},
                        {f"{i}: {a}" for i, a in wanted_in_form})
    assert not problems, problems


def test_the_action_server_registers_exactly_the_domains_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = _load(NLU / "domain.yml")
    assert set(executor.actions) == set(domain["actions"])


def test_every_task_has_a_handler_and_an_action() -> None:
    handled = {t.intent for t in CITY_TASKS if not t.is_form}
    assert set(TASKS) == handled
    assert set(task_actions.TASK_ACTIONS) == {t.action for t in CITY_TASKS if not t.is_form}
    action = task_actions.task_action("action_troika_balance")
    assert type(action).__name__ == "ActionTroikaBalance"
    assert (action.name(), action.task_name) == ("action_troika_balance", "troika_balance")


def test_every_message_key_is_in_the_catalogue_in_both_languages() -> None:
    keys = {k for t in CITY_TASKS for k in t.messages}
    keys |= {f"service_{t.service}" for t in CITY_TASKS}
    keys |= {f"intent_{i}" for i in dialogue.GUESSABLE}
    missing = sorted(k for k in keys if set(MESSAGES.get(k, {})) < {"ru", "en"})
    assert not missing, f"catalogue lines missing (actions/messages*.py): {missing}"


def test_derived_maps() -> None:
    before_the_registry = {
        "troika_balance", "kindergarten_queue_status", "transport_arrivals", "traffic_status",
        "wifi_nearby", "request_status", "list_appointments", "greet", "thank", "help",
        "repeat", "switch_language", "stop", "human_handoff", "goodbye", "cancel_appointment",
        "reschedule_appointment", "report_problem", "dont_know_policy", "insult",
    }
    assert before_the_registry == booking.DIGRESSIONS
    assert dialogue.GUESSABLE["book_appointment"] == "booking_form"
    assert dialogue.GUESSABLE["human_handoff"] == "action_handoff"
    assert "greet" not in dialogue.GUESSABLE
    assert service_of("troika_balance") == "troika"
    assert service_of("booking_form") == "health"
    assert city_task("wifi_nearby") is not None and city_task("greet") is None
    assert len({e.intent for e in entries()}) == len(CONVERSATION) + len(CITY_TASKS)


def test_a_new_city_task_is_one_registry_entry() -> None:
    """Adding a service is data: one entry gives its rule, its booking digression, its intent
    and action in the domain (the handler, client method and messages are the rest)."""
    parking = CityTask("parking_fine", "action_parking_fine", "parking", "actions.parking",
                       ("ask_plate", "parking_fine"))
    tasks = (*CITY_TASKS, parking)
    rules = yaml.safe_load(rasa_files.render_rules(tasks))["rules"]
    named = {r["rule"]: r["steps"] for r in rules}
    assert named["parking_fine"] == [{"intent": "parking_fine"}, {"action": "action_parking_fine"}]
    assert named["digression parking_fine during booking"][1] == {"action": "action_parking_fine"}
    domain = yaml.safe_load(rasa_files.render_domain(
        (NLU / "domain.yml").read_text(encoding="utf-8"), tasks))
    assert "parking_fine" in domain["intents"] and "action_parking_fine" in domain["actions"]
    assert task_actions._class_name(parking.action) == "ActionParkingFine"
