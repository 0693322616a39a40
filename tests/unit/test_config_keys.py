"""config.yml: every leaf key is declared by the settings of the process that reads it, is read by
some code, and is documented in the README's "Configuration" table; the three loaders agree."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from actions.settings import OTHER_PROCESS_KEYS as ACTIONS_OTHER
from actions.settings import OTHER_PROCESS_SECRETS as ACTIONS_OTHER_SECRETS
from actions.settings import ActionsSettings, CityEndpoint
from assistant.settings import CitySection, Settings
from cityservices.settings import OTHER_PROCESS_KEYS as CITY_OTHER
from cityservices.settings import CitySettings

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("assistant", "actions", "cityservices", "audio", "spoken")
           for p in (ROOT / d).rglob("*.py")]
# mappings whose keys are data (a language, a channel), named so in the README
PLACEHOLDER = {"asr.models": "<lang>", "asr.sha256": "<lang>", "tts.voices": "<lang>",
               "endpointing": "<channel>"}


def model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def leaves(data: dict[str, Any], model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Dotted names of the leaf keys of `data` (placeholders for data keys); asserts each is a
    field of `model`."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        assert key in model.model_fields, f"config.yml key '{path}' is declared by no setting"
        annotation = model.model_fields[key].annotation
        inner = model_of(annotation)
        if inner is not None and isinstance(value, dict):
            yield from leaves(value, inner, path + ".")
        elif path in PLACEHOLDER:
            item = model_of(typing.get_args(annotation)[-1])
            name = f"{path}.{PLACEHOLDER[path]}"
            if item is None:
                yield name
            else:
                for row in value.values():
                    yield from leaves(row, item, name + ".")
        else:
            yield path


def config_leaves() -> list[str]:
    data = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return sorted(set(leaves(data, Settings)))


def readme_configuration() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Configuration")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_every_key_of_config_yml_is_declared_and_documented() -> None:
    section = readme_configuration()
    missing = [key for key in config_leaves() if f"`{key}`" not in section]
    assert not missing, f"README 'Configuration' does not document: {missing}"


def test_every_key_of_config_yml_is_read_by_some_code() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    names = {key: [part for part in key.split(".") if not part.startswith("<")][-1]
             for key in config_leaves()}
    unread = [key for key, name in names.items()
              if not re.search(rf"[.\"']{re.escape(name)}\b", code)]
    assert not unread, f"keys of config.yml that no code reads: {unread}"


def test_the_dead_keys_are_gone() -> None:
    assert not {"asr.sample_rate", "asr.chunk_ms"} & set(config_leaves())


def test_the_city_section_is_one_schema_for_three_processes() -> None:
    """The gateway's view (checked by `assistant up` before the children start) is exactly the
    union of what the action server and the back-ends read."""
    whole = set(CitySection.model_fields)
    assert whole == set(CityEndpoint.model_fields) | ACTIONS_OTHER
    assert whole == set(CitySettings.model_fields) | CITY_OTHER
    assert not set(CityEndpoint.model_fields) & ACTIONS_OTHER
    for name, field in CitySettings.model_fields.items():  # same defaults where both declare it
        if name in CityEndpoint.model_fields:
            assert CityEndpoint.model_fields[name].default == field.default


def test_the_action_servers_sections_exist_in_the_whole_schema() -> None:
    for name, field in ActionsSettings.model_fields.items():
        assert name in Settings.model_fields, name
        sub = model_of(field.annotation)
        whole = model_of(Settings.model_fields[name].annotation)
        if sub is not None and whole is not None and name == "secrets":  # its own secret only
            assert set(sub.model_fields) | ACTIONS_OTHER_SECRETS == set(whole.model_fields)
            assert not set(sub.model_fields) & ACTIONS_OTHER_SECRETS
        elif sub is not None and whole is not None and name != "city":
            assert set(sub.model_fields) == set(whole.model_fields), name
