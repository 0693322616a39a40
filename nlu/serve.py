"""`rasa run` with the HTTP API's token taken from the environment, not from the command line.

Rasa 3.6 reads `--auth-token` only as an argument, and arguments are readable by every user of
the machine (`ps`). `assistant up` (assistant/cli/stack.py) runs
`.venv-rasa/bin/python nlu/serve.py run ...` with `ASSISTANT_SECRETS__RASA_TOKEN` set; this adds
`--auth-token` inside the process, so the process table never shows it. No token: no start.

It also gives the lock store's variables of endpoints.yml their single-Rasa defaults (in memory),
so that only a replicated deployment sets them (`assistant up --scale`, deploy/k8s production).

Start-up time: TensorFlow's TFLite helpers import JAX when it is installed (it is, as a dependency
of the Rasa environment), only to convert JAX models, which Rasa never does. That import is about
a seventh of Rasa's start; it is blocked here (TensorFlow takes the ImportError as "no JAX").
The trained model loads without tracing a training step (model_load.py): most of the rest.
"""

import os
import sys
from typing import List, Mapping

TOKEN_ENV = "ASSISTANT_SECRETS__RASA_TOKEN"
UNUSED_IMPORTS = ("jax",)  # imported by tensorflow.lite.python.util inside try/except ImportError
# endpoints.yml `lock_store`: in memory unless LOCK_STORE_TYPE=redis (several replicas)
LOCK_STORE_DEFAULTS = {"LOCK_STORE_TYPE": "in_memory", "LOCK_STORE_HOST": "localhost",
                       "LOCK_STORE_PORT": "6379", "LOCK_STORE_PASSWORD": "",
                       "LOCK_STORE_DB": "1"}


def rasa_argv(argv: List[str], environ: Mapping[str, str]) -> List[str]:
    """`rasa <argv> --auth-token <token>`; SystemExit when the token is missing."""
    token = environ.get(TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"{TOKEN_ENV} is not set: Rasa's HTTP API is never served without "
                         "a token (start the stack with `assistant up`)")
    if any(arg in ("-t", "--auth-token") or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("give the token in the environment, not as --auth-token")
    # one argument with "=": a random token may begin with "-", which argparse would take for
    # an option (then Rasa exits: "--auth-token: expected one argument")
    return ["rasa", *argv, f"--auth-token={token}"]


if __name__ == "__main__":
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    os.environ.pop(TOKEN_ENV, None)  # nothing Rasa starts inherits it
    for name, value in LOCK_STORE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    for module in UNUSED_IMPORTS:
        sys.modules[module] = None  # type: ignore[assignment]  # `import jax` -> ImportError
    import model_load
    from rasa.__main__ import main

    model_load.install()
    main()
