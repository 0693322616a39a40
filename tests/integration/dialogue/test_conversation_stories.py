"""Rasa conversation tests (nlu/tests/*.yml) in the dialogue-engine environment.

One `rasa test core` run loads the model once and checks every story end to end: the user text
is parsed (intent) and every predicted action is compared. Any failed story fails this test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant.cli.stack import NLU_DIR, RASA_MODEL, RASA_VENV, base_env
from assistant.cli.training import train

pytestmark = pytest.mark.rasa


def test_every_conversation_story_passes(tmp_path: Path) -> None:
    rasa = RASA_VENV / "bin" / "rasa"
    if not rasa.exists():
        pytest.fail(f"{rasa} is missing: run `./manage.sh setup` (the dialogue-engine env)")
    train()  # like `assistant up`: only when nlu/ changed
    out = tmp_path / "results"
    result = subprocess.run(
        [str(rasa), "test", "core", "--stories", "tests", "--model", str(RASA_MODEL), "--e2e",
         "--out", str(out), "--no-plot"],
        cwd=NLU_DIR, env=base_env(), capture_output=True, text=True, check=False,
    )
    failed = out / "failed_test_stories.yml"
    failures = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert result.returncode == 0, f"rasa test failed:\n{result.stdout[-3000:]}"
    assert failed.exists(), f"rasa test wrote no {failed.name}:\n{result.stdout[-3000:]}"
    assert "- story:" not in failures, failures  # Rasa lists every failed story there
    stories = (NLU_DIR / "tests").glob("*.yml")
    assert any(stories), "nlu/tests holds no conversation tests"
