"""The trained model, loaded without tracing a training step (nlu/model_load.py), is the model.

Rasa builds a loaded model's variables by one training step before it loads the trained weights
over them; model_load runs that step eagerly (cold start, issue 12). Here, in Rasa's own
environment, the real trained model is loaded both ways in one process: the same model class,
every variable equal, prediction in graph mode (traced at load, as Rasa's load leaves it, but
without AutoGraph), and the same interpretation (intent, ranking with confidences, entities,
their confidences) of sentences in both languages, short and long.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from assistant.cli.stack import NLU_DIR, RASA_MODEL, RASA_VENV

pytestmark = pytest.mark.rasa

SCRIPT = r'''
import asyncio, json, sys
sys.modules["jax"] = None  # as nlu/serve.py does
import model_load
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

TEXTS = ["баланс тройки", "check my troika card balance", "запишите меня к терапевту на завтра",
         "book me a dentist appointment for friday", "да", "no",
         "моя фамилия иванова анна сергеевна полис семь семь один два",
         "when is the next bus seventy two from the park and is there free wi fi nearby please"]
rasa_load = RasaModel.load


def loading(load, models):
    def recorded(cls, *args, **kwargs):
        model = load.__func__(cls, *args, **kwargs)
        models.append(model)
        return model
    return classmethod(recorded)


async def understood(model_path, load):
    models = []
    RasaModel.load = loading(load, models)
    agent = Agent.load(model_path)
    parsed = []
    for text in TEXTS:
        found = await agent.parse_message(text)
        parsed.append({"intent": found["intent"], "ranking": found.get("intent_ranking"),
                       "entities": found["entities"]})
    return models, parsed


async def main(model_path):
    model_load.install()
    ours, our_parses = await understood(model_path, RasaModel.load)
    rasas, rasa_parses = await understood(model_path, rasa_load)
    same = [len(a.weights) == len(b.weights)
            and all((x.numpy() == y.numpy()).all() for x, y in zip(a.weights, b.weights))
            for a, b in zip(ours, rasas)]
    print(json.dumps({
        "models": [type(m).__name__ for m in ours],
        "rasa_models": [type(m).__name__ for m in rasas],
        "variables": [len(m.weights) for m in ours], "same_weights": same,
        "graph_mode": [not m.run_eagerly and m._tf_predict_step is not None for m in ours],
        "ours": our_parses, "rasa": rasa_parses, "texts": TEXTS}))


asyncio.run(main(sys.argv[1]))
'''


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    python = RASA_VENV / "bin" / "python"
    assert python.exists(), f"{python} is missing: run ./manage.sh setup to create Rasa's env"
    assert RASA_MODEL.exists(), f"{RASA_MODEL} is missing: run .venv/bin/assistant train"
    script = tmp_path_factory.mktemp("model-load") / "model_load_check.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(NLU_DIR), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([str(python), str(script), str(RASA_MODEL)], cwd=NLU_DIR, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_model_is_the_one_rasa_loads(result: dict) -> None:
    assert result["models"] == result["rasa_models"] == ["DIET"], result
    assert result["variables"][0] > 0 and result["same_weights"] == [True], result
    assert result["graph_mode"] == [True], result  # predicts as Rasa's load leaves it


def test_it_understands_exactly_as_rasa_loaded_it_does(result: dict) -> None:
    assert result["ours"] == result["rasa"]
    intents = [parse["intent"]["name"] for parse in result["ours"]]
    assert intents[:6] == ["troika_balance", "troika_balance", "book_appointment",
                           "book_appointment", "affirm", "deny"], intents
    assert any(parse["entities"] for parse in result["ours"]), result["ours"]
