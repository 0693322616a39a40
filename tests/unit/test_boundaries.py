"""The package map of the README, checked on every import statement (top level and in functions).

A package per process: `assistant/gateway` (the gateway), `assistant/cli` (the operator's tools),
`actions` (the action server), `cityservices` (the city back-ends), `nlu` (Rasa's own Python,
Python 3.10). Two leaves that anything may use: `audio` (sound in and out) and `spoken` (the text
normalisation that the gateway and the actions share).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"assistant", "audio", "actions", "cityservices", "spoken", "nlu"}
HTTP_CLIENTS = {"httpx", "requests", "urllib.request", "http.client", "aiohttp", "websockets"}
HTTP = HTTP_CLIENTS | {"fastapi", "starlette", "uvicorn", "sanic", "rasa_sdk"}

# package (a folder) -> the import prefixes it must never use
RULES: dict[str, set[str]] = {
    "audio": (PROJECT - {"audio"}) | HTTP,
    "spoken": (PROJECT - {"spoken"}) | HTTP,
    "assistant": {"actions", "cityservices", "nlu"},
    "assistant/gateway": {"assistant.cli", "actions", "cityservices", "nlu"},
    "actions": {"assistant", "audio", "cityservices", "nlu"},
    "cityservices": {"assistant", "audio", "actions", "nlu"},
    "nlu": {"assistant", "audio", "actions", "cityservices", "spoken"},
}
# the one crossing allowed: the operator's tools start a throwaway PostgreSQL (`assistant up
# --scale`) with the city's standalone helper, which itself imports nothing of the project
SHARED_TOOLS = {"assistant/cli/": {"cityservices.pgtemp"}}
# the only module of a package that may call another process over HTTP
HTTP_CLIENT_ONLY_IN = {"actions": {"actions/city_client.py"}}


def imports(folder: str) -> list[tuple[str, str]]:
    """(file, imported module) for every absolute import under `folder`."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((name, node.module))
    return found


def allowed(file: str, module: str) -> bool:
    return any(file.startswith(prefix) and module in modules
               for prefix, modules in SHARED_TOOLS.items())


def breaks(module: str, forbidden: set[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in forbidden)


@pytest.mark.parametrize("folder", sorted(RULES))
def test_package_keeps_to_its_imports(folder: str) -> None:
    bad = [f"{file}: {module}" for file, module in imports(folder)
           if breaks(module, RULES[folder]) and not allowed(file, module)]
    assert not bad, f"{folder} must not import {sorted(RULES[folder])}: {bad}"


@pytest.mark.parametrize("folder", sorted(HTTP_CLIENT_ONLY_IN))
def test_only_the_city_client_calls_out(folder: str) -> None:
    allowed = HTTP_CLIENT_ONLY_IN[folder]
    bad = [f"{file}: {module}" for file, module in imports(folder)
           if breaks(module, HTTP_CLIENTS) and file not in allowed]
    assert not bad, f"only {sorted(allowed)} may be an HTTP client: {bad}"


def test_nothing_outside_cityservices_imports_it() -> None:
    others = sorted(PROJECT - {"cityservices"})
    bad = [f"{file}: {module}" for folder in others for file, module in imports(folder)
           if breaks(module, {"cityservices"}) and not allowed(file, module)]
    assert not bad, bad


def test_the_shared_tool_is_standalone() -> None:
    for modules in SHARED_TOOLS.values():
        for module in modules:
            file = module.replace(".", "/") + ".py"
            mine = [m for f, m in imports(file.rsplit("/", 1)[0]) if f == file]
            assert not [m for m in mine if breaks(m, PROJECT)], (file, mine)


def test_the_rule_catches_a_broken_import() -> None:
    """The checker itself: a forbidden import in a file is reported (so the rules can fail)."""
    assert breaks("assistant.gateway.contracts", RULES["audio"])
    assert breaks("httpx", RULES["audio"])
    assert not breaks("audiolib", {"audio"})
    assert breaks("assistant.cli.stack", RULES["assistant/gateway"])
