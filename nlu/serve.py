"""`rasa run` with the HTTP API's token taken from the environment, not from the command line.

Rasa 3.6 reads `--auth-token` only as an argument, and arguments are readable by every user of
the machine (`ps`). `assistant up` (assistant/cli/stack.py) runs
`.venv-rasa/bin/python nlu/serve.py run ...` with `ASSISTANT_SECRETS__RASA_TOKEN` set; this adds
`--auth-token` inside the process, so the process table never shows it. No token: no start.
"""

import os
import sys
from typing import List, Mapping

TOKEN_ENV = "ASSISTANT_SECRETS__RASA_TOKEN"


def rasa_argv(argv: List[str], environ: Mapping[str, str]) -> List[str]:
    """`rasa <argv> --auth-token <token>`; SystemExit when the token is missing."""
    token = environ.get(TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"{TOKEN_ENV} is not set: Rasa's HTTP API is never served without "
                         "a token (start the stack with `assistant up`)")
    if "--auth-token" in argv:
        raise SystemExit("give the token in the environment, not as --auth-token")
    return ["rasa", *argv, "--auth-token", token]


if __name__ == "__main__":
    sys.argv = rasa_argv(sys.argv[1:], os.environ)
    os.environ.pop(TOKEN_ENV, None)  # nothing Rasa starts inherits it
    from rasa.__main__ import main

    main()
