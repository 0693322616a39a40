"""Rasa conversation tests (nlu/tests/test_*.yml) on the session's Rasa, end to end.

Rasa's own `POST /model/test/stories?e2e=true` (what `rasa test core --e2e` runs) on the model
the shared stack serves: the user text is parsed (intent, entities) and every predicted action
is compared with the story. Any mismatch fails this test and names the story's turn.
"""

from __future__ import annotations

from typing import Any

import httpx
import yaml
from conftest import Stack

from assistant.cli.stack import NLU_DIR


def story_files() -> list[Any]:
    files = sorted((NLU_DIR / "tests").glob("test_*.yml"))
    assert files, f"{NLU_DIR / 'tests'} holds no conversation tests (test_*.yml)"
    return files


def test_every_conversation_story_passes(stack: Stack) -> None:
    for path in story_files():
        stories = yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
        answer = httpx.post(f"{stack.rasa_url}/model/test/stories",
                            params={"e2e": "true", "token": stack.rasa_token},
                            content=path.read_bytes(),
                            headers={"Content-Type": "application/x-yaml"}, timeout=600)
        assert answer.status_code == 200, f"{path.name}: {answer.status_code} {answer.text[:2000]}"
        result = answer.json()
        assert result["is_end_to_end_evaluation"] is True
        wrong = [a for a in result["actions"] if a["action"] != a["predicted"]]
        assert not wrong, f"{path.name}: mispredicted actions {wrong}"
        # intents and entities too: accuracy is over actions, intents and entities together
        assert result["accuracy"] == 1.0, (path.name, {k: v for k, v in result["report"].items()
                                                       if isinstance(v, dict)
                                                       and v.get("f1-score", 1.0) < 1.0})
        predicted = {a["action"] for a in result["actions"]}
        steps = [s for story in stories for s in story["steps"] if "action" in s]
        assert steps and {s["action"] for s in steps} <= predicted, path.name
