"""The package boundaries of ARCHITECTURE.md, checked on every import statement."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> top-level project packages it must never import (or, for audio, only these modules)
FORBIDDEN = {
    "actions": {"assistant", "cityservices", "audio"},
    "cityservices": {"assistant", "actions", "audio"},
    "assistant": {"cityservices"},
}
AUDIO_MAY_USE = {"assistant.contracts", "assistant.cli.bench.stats"}


def imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_out_of_forbidden_packages(package: str) -> None:
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, m in imports(package)
           if m.split(".")[0] in FORBIDDEN[package]]
    assert not bad, bad


def test_audio_knows_only_the_pipeline_contracts() -> None:
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, m in imports("audio")
           if m.split(".")[0] in {"assistant", "actions", "cityservices", "rasa", "rasa_sdk",
                                  "fastapi"} and m not in AUDIO_MAY_USE]
    assert not bad, bad
