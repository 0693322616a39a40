"""Rasa's check of the action server's answers, with its JSON schema validator built once.

Rasa 3.6 checks every answer of the action server against a fixed schema
(`RemoteAction._validate_action_result`) with `jsonschema.validate`, which, on every call,
checks the schema itself against the meta-schema and builds a new validator. Profiled on a
turn (py-spy on Rasa, issue 12): that was the largest single cost of Rasa's turn once the
tracker reads were gone, about 40 % of its CPU time. `install()` (called by the city channel,
which Rasa loads at start) replaces that method with the same check done by a validator made
once per schema: the same `jsonschema` calls in the same order (`validator_for`, `check_schema`
once, `best_match(iter_errors)`), so the same answers pass and the same error, with Rasa's own
message added, is raised.
"""

import json
import threading
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_VALIDATORS: Dict[Text, Any] = {}
_MAKING = threading.Lock()


def validator(schema: Dict[Text, Any]) -> Any:
    """The validator of `schema`, made (and the schema checked) on first use."""
    key = json.dumps(schema, sort_keys=True)
    found = _VALIDATORS.get(key)
    if found is None:
        with _MAKING:
            cls = validator_for(schema)
            cls.check_schema(schema)
            found = _VALIDATORS.setdefault(key, cls(schema))
    return found


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result`: True, or the first best error, raised."""
    error = best_match(validator(action.action_response_format_spec()).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Rasa's remote actions check their answers with `validate_action_result`."""
    RemoteAction._validate_action_result = validate_action_result
