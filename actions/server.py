"""The action server: rasa-sdk's own app (`/webhook`, `/health`, `/actions`) plus `GET /healthz`,
like every other service of the stack. Run with `python -m actions.server --port 5055`."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse


def create_action_app() -> Sanic[Any, Any]:
    executor = ActionExecutor()
    executor.register_package("actions")
    app: Sanic[Any, Any] = create_app(executor)
    count = len(executor.actions)

    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok", "actions": count})

    app.add_route(healthz, "/healthz", methods=["GET"])
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    create_action_app().run(host=args.host, port=args.port, single_process=True,
                            access_log=False, motd=False)


if __name__ == "__main__":
    main()
