"""The one registry of what the assistant does: every intent, the action its rule runs, and for a
city task the city service it calls and the catalogue lines it says.

Everything else derives from here: the task actions (`actions.task_actions`), the clarifying
guess and its follow-up (`actions.dialogue`), the booking form's digressions (`actions.booking`),
the apology's service name, and Rasa's `nlu/data/rules.yml` and the intents and actions of
`nlu/domain.yml` (written by `python -m actions.rasa_files`; a unit test keeps them equal).
Pure data: this module imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a rule does with the intent while a form (the booking) is active: "digress" answers it and
# the form resumes, "leave" answers it and ends the form, "none" has no rule (the form's own
# validator handles the turn).
InForm = Literal["digress", "leave", "none"]


@dataclass(frozen=True)
class CityTask:
    """A city task. `intent` is also the task's name (`@task(intent)` in `module`)."""

    intent: str
    action: str  # the Rasa action (or form, when it ends in "_form") its rule runs
    service: str  # the city service it calls; `service_<service>` names it in an apology
    module: str  # the module that holds its `@task` handler (or the form's validator)
    messages: tuple[str, ...]  # the catalogue keys it says (actions/messages*.py)
    in_form: InForm = "digress"
    form_done: str = ""  # a form only: the action that runs after the form is submitted

    @property
    def is_form(self) -> bool:
        return self.action.endswith("_form")


@dataclass(frozen=True)
class Conversation:
    """An intent that reaches no city service (greeting, yes/no, language, operator...)."""

    intent: str
    action: str
    in_form: InForm = "none"
    in_domain: bool = True  # False for Rasa's own intents (nlu_fallback)
    guessable: bool = False  # a clarifying question may offer it ("do you want ...?")


CONVERSATION: tuple[Conversation, ...] = (
    Conversation("greet", "action_greet", in_form="digress"),
    Conversation("goodbye", "action_goodbye", in_form="leave"),
    Conversation("thank", "action_thank", in_form="digress"),
    Conversation("help", "action_help", in_form="digress"),
    Conversation("repeat", "action_repeat", in_form="digress"),
    Conversation("out_of_scope", "action_out_of_scope"),
    Conversation("nlu_fallback", "action_clarify", in_domain=False),
    Conversation("affirm", "action_affirm"),
    Conversation("deny", "action_deny"),
    Conversation("stop", "action_stop", in_form="leave"),
    Conversation("inform", "action_inform"),
    Conversation("human_handoff", "action_handoff", in_form="leave", guessable=True),
    Conversation("switch_language", "action_switch_language", in_form="digress"),
    # help instead of a hang-up: both answer and the form (if any) asks its question again
    Conversation("dont_know_policy", "action_dont_know_policy", in_form="digress"),
    Conversation("insult", "action_insult", in_form="digress"),
)

_IDENTIFY = ("ask_policy", "policy_format", "ask_birth", "birth_format", "identified",
             "not_identified", "policy_readback", "policy_readback_kiosk")

CITY_TASKS: tuple[CityTask, ...] = (
    CityTask("troika_balance", "action_troika_balance", "troika", "actions.services",
             ("ask_card", "card_format", "troika_unknown", "troika_balance")),
    CityTask("kindergarten_queue_status", "action_kindergarten_status", "kindergarten",
             "actions.services", ("ask_application", "application_format", "kg_unknown",
                                  "kg_in_queue", "kg_status", "kindergarten_no",
                                  "ask_child_birth", "child_birth_format", "kg_not_matched")),
    CityTask("transport_arrivals", "action_transport_arrivals", "transit", "actions.services",
             ("ask_stop", "stop_unknown", "no_arrivals", "arrivals", "arrival_item",
              "arrival_item_at", "bus", "tram")),
    CityTask("traffic_status", "action_traffic_status", "traffic", "actions.services",
             ("road_unknown", "traffic_road", "traffic_city")),
    CityTask("wifi_nearby", "action_wifi_nearby", "wifi", "actions.services",
             ("no_wifi", "wifi")),
    CityTask("report_problem", "action_report_problem", "open311", "actions.open311",
             ("ask_problem_type", "ask_problem_place", "ask_problem_description",
              "problem_reported"), in_form="leave"),
    CityTask("request_status", "action_request_status", "open311", "actions.services",
             ("ask_request_id", "request_id_format", "request_unknown", "request_status",
              "status_open", "status_closed")),
    CityTask("list_appointments", "action_list_appointments", "health", "actions.appointments",
             (*_IDENTIFY, "no_appointments", "appointments", "appointment_item")),
    CityTask("cancel_appointment", "action_cancel_appointment", "health",
             "actions.appointments",
             (*_IDENTIFY, "no_appointments", "which_appointment", "appointment_item",
              "confirm_cancel", "cancelled", "not_cancelled"), in_form="leave"),
    CityTask("reschedule_appointment", "action_reschedule_appointment", "health",
             "actions.appointments",
             (*_IDENTIFY, "no_appointments", "which_appointment", "appointment_item", "ask_date",
              "date_format", "no_slots", "offer_slots", "slot_item", "readback", "slot_taken",
              "choice_format", "rescheduled", "not_rescheduled"), in_form="leave"),
    CityTask("book_appointment", "booking_form", "health", "actions.booking",
             (*_IDENTIFY, "ask_specialty", "specialty_format", "ask_date", "date_format",
              "no_slots", "offer_slots", "slot_item", "time_not_free", "choice_format",
              "readback", "confirm_format", "slot_taken", "booked", "booking_details",
              "booking_aborted", "already_booked_specialty", "visit_overlaps", "slot_in_past"),
             in_form="none", form_done="action_booking_done"),
    # a reminder call the assistant placed (actions/reminder.py): only the gateway's trigger
    # `/reminder_call{"reminder_ticket": ...}` starts it; the NLU has no examples of it
    CityTask("reminder_call", "action_reminder_call", "health", "actions.reminder",
             ("reminder_call", "reminder_choice_format", "reminder_confirmed",
              "reminder_unavailable", "reminder_goodbye"), in_form="none"),
)

# Actions that no intent's rule names: the booking form's validator, questions and wrap-up.
FORM_ACTIONS: tuple[str, ...] = (
    "action_booking_done", "validate_booking_form", "action_ask_specialty",
    "action_ask_policy_number", "action_ask_birth_date", "action_ask_date_pref",
    "action_ask_slot_choice", "action_ask_confirm",
)


Entry = Conversation | CityTask


def entries() -> tuple[Entry, ...]:
    """Every intent's entry: the conversation's, then the city tasks'."""
    return (*CONVERSATION, *CITY_TASKS)


def city_task(intent: str) -> CityTask | None:
    return next((t for t in CITY_TASKS if t.intent == intent), None)


def service_of(task: str, default: str = "health") -> str:
    """The city service a task calls (the booking form's name counts as the booking)."""
    found = next((t for t in CITY_TASKS if task in (t.intent, t.action)), None)
    return found.service if found else default


def intent_actions() -> dict[str, str]:
    """Every intent -> the action (or form) its rule runs."""
    return {e.intent: e.action for e in entries()}


def guessable_actions() -> dict[str, str]:
    """Intents a clarifying question may offer -> the action to run on a yes."""
    return {**{t.intent: t.action for t in CITY_TASKS},
            **{c.intent: c.action for c in CONVERSATION if c.guessable}}


def form_interruptions() -> frozenset[str]:
    """Intents whose own rule answers them while a form is active (digress or leave)."""
    return frozenset(e.intent for e in entries() if e.in_form != "none")


def task_modules() -> tuple[str, ...]:
    """The modules holding `@task` handlers (imported to register them), in order, once."""
    return tuple(dict.fromkeys(t.module for t in CITY_TASKS if not t.is_form))
