"""pytest imports test files by their base name (rootdir mode, folders without __init__.py): two
test files with one name collide at collection, and only on a clean checkout. Keep names unique."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_file_name_is_unique() -> None:
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not [n for n, count in names.items() if count > 1]
