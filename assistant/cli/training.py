"""Train the Rasa model only when the Rasa project (`nlu/`) changed since the last training."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path

from assistant.cli.stack import LOG_DIR, NLU_DIR, RASA_MODEL, RASA_VENV, base_env

log = logging.getLogger(__name__)

FINGERPRINT = RASA_MODEL.with_suffix("").with_suffix(".fingerprint")
_TRAINING_INPUTS = ("config.yml", "domain.yml", "domain", "data")


def project_fingerprint(nlu_dir: Path = NLU_DIR) -> str:
    """SHA-256 over the names and bytes of every file that shapes the trained model."""
    digest = hashlib.sha256()
    for name in _TRAINING_INPUTS:
        root = nlu_dir / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(nlu_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def model_is_current() -> bool:
    if not RASA_MODEL.exists() or not FINGERPRINT.exists():
        return False
    return FINGERPRINT.read_text().strip() == project_fingerprint()


def train(force: bool = False) -> bool:
    """Train when needed. Returns True when it trained; raises CalledProcessError on failure."""
    if not force and model_is_current():
        return False
    rasa = RASA_VENV / "bin" / "rasa"
    if not rasa.exists():
        raise FileNotFoundError(f"{rasa} is missing: run ./manage.sh setup to create it")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # the data as training reads it: a change made while it trains leaves the model stale
    trained_on = project_fingerprint()
    command = [str(rasa), "train", "--fixed-model-name", "city", "--out", "models"]
    with open(LOG_DIR / "train.log", "wb") as out:
        result = subprocess.run(command, cwd=NLU_DIR, env=base_env(), stdout=out,
                                stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0 or not RASA_MODEL.exists():
        raise subprocess.CalledProcessError(result.returncode, command)
    FINGERPRINT.write_text(trained_on)
    return True
