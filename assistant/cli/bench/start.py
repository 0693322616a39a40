"""Cold start of the stack (issue 12: all four processes healthy in 30 s or less).

A round starts the whole stack as `assistant up` does (on free ports, its own databases) and
records when each process first answers its health check. The baseline, taken before each
round in the same run, is the floor every start pays: Rasa's environment importing Rasa, with
nothing loaded. The rest of Rasa's time is its model; the other processes start alongside.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence

from assistant.cli.stack import NLU_DIR, RASA_VENV

# what nlu/serve.py imports before a model exists (JAX blocked there too)
RASA_IMPORT = "import sys; sys.modules['jax'] = None; import rasa.core.agent"


def rasa_import_s() -> float:
    """Seconds for Rasa's Python to import Rasa's agent and exit."""
    began = time.monotonic()
    subprocess.run([str(RASA_VENV / "bin" / "python"), "-c", RASA_IMPORT], cwd=NLU_DIR,
                   check=True, capture_output=True, timeout=600)
    return round(time.monotonic() - began, 2)


def summary(starts: Sequence[dict[str, float]], floors: Sequence[float]) -> dict[str, object]:
    """Per round and median: each process's seconds to healthy, the slowest (all healthy)."""
    names = sorted({name for ready in starts for name in ready})
    return {
        "rounds": [{"ready_s": ready, "all_healthy_s": max(ready.values()),
                    "rasa_import_floor_s": floor} for ready, floor in zip(starts, floors,
                                                                          strict=True)],
        "median": {
            "all_healthy_s": round(statistics.median(max(r.values()) for r in starts), 2),
            "ready_s": {name: round(statistics.median(r[name] for r in starts), 2)
                        for name in names},
            "rasa_import_floor_s": round(statistics.median(floors), 2),
        },
    }
