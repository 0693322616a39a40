"""Rasa's YAML written from the registry (`actions.registry`): `nlu/data/rules.yml` whole, and the
`intents:` and `actions:` blocks of `nlu/domain.yml` (the rest of the domain is hand-written).

Rasa runs in its own Python 3.10 environment and reads the committed YAML files, so after a change
to the registry run `python -m actions.rasa_files` and commit both files; `--check` only reports a
difference (the unit tests check the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actions.registry import CITY_TASKS, CONVERSATION, FORM_ACTIONS, CityTask, Entry

NLU_DIR = Path(__file__).resolve().parents[1] / "nlu"
RULES_HEADER = (
    'version: "3.1"\n\n'
    "# Generated from actions/registry.py by `python -m actions.rasa_files`; do not edit.\n"
    "# One rule per intent, then each form's activation, submission and interruptions.\n"
    "rules:\n"
)


def _rule(name: str, steps: list[str], condition: str | None = None) -> str:
    lines = [f"  - rule: {name}"]
    if condition:
        lines += ["    condition:", f"      - active_loop: {condition}"]
    lines += ["    steps:", *(f"      - {step}" for step in steps)]
    return "\n".join(lines) + "\n"


def _single_rules(entries: tuple[Entry, ...]) -> list[str]:
    return [_rule(e.intent, [f"intent: {e.intent}", f"action: {e.action}"])
            for e in entries if not (isinstance(e, CityTask) and e.is_form)]


def _form_rules(form: CityTask, entries: tuple[Entry, ...]) -> list[str]:
    name, short = form.action, form.action.removesuffix("_form")
    rules = [
        _rule(f"activate {short} form", [f"intent: {form.intent}", f"action: {name}",
                                         f"active_loop: {name}"]),
        _rule(f"submit {short} form", [f"action: {name}", "active_loop: null",
                                       "slot_was_set:\n          - requested_slot: null",
                                       f"action: {form.form_done}"], condition=name),
    ]
    rules += [_rule(f"digression {e.intent} during {short}",
                    [f"intent: {e.intent}", f"action: {e.action}", f"action: {name}",
                     f"active_loop: {name}"], condition=name)
              for e in entries if e.in_form == "digress"]
    rules += [_rule(f"{e.intent} leaves {short}",
                    [f"intent: {e.intent}", f"action: {e.action}", "action: action_deactivate_loop",
                     "active_loop: null"], condition=name)
              for e in entries if e.in_form == "leave"]
    return rules


def render_rules(tasks: tuple[CityTask, ...] = CITY_TASKS) -> str:
    everything: tuple[Entry, ...] = (*CONVERSATION, *tasks)
    rules = _single_rules(everything)
    for form in (t for t in tasks if t.is_form):
        rules += _form_rules(form, everything)
    return RULES_HEADER + "".join(rules)


def domain_intents(tasks: tuple[CityTask, ...] = CITY_TASKS) -> list[str]:
    return [*(t.intent for t in tasks), *(c.intent for c in CONVERSATION if c.in_domain)]


def domain_actions(tasks: tuple[CityTask, ...] = CITY_TASKS) -> list[str]:
    return [*(c.action for c in CONVERSATION), *(t.action for t in tasks if not t.is_form),
            *FORM_ACTIONS]


def _replace_block(text: str, key: str, items: list[str]) -> str:
    """The top-level `key:` list of a YAML text replaced (it ends at the next blank line)."""
    lines = text.split("\n")
    start = lines.index(f"{key}:")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join([*lines[: start + 1], *(f"  - {item}" for item in items), *lines[end:]])


def render_domain(current: str, tasks: tuple[CityTask, ...] = CITY_TASKS) -> str:
    """`current` (the committed domain) with its intents and actions taken from the registry."""
    text = _replace_block(current, "intents", domain_intents(tasks))
    return _replace_block(text, "actions", domain_actions(tasks))


def outputs(nlu_dir: Path = NLU_DIR) -> dict[Path, str]:
    """Each generated file -> the text it should hold."""
    domain = nlu_dir / "domain.yml"
    return {nlu_dir / "data" / "rules.yml": render_rules(),
            domain: render_domain(domain.read_text(encoding="utf-8"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.rasa_files", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)
    stale = [path for path, text in outputs().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path} differs from actions/registry.py: run python -m actions.rasa_files")
        return 1 if stale else 0
    for path, text in outputs().items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
