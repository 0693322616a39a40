"""The action server: rasa-sdk's own app (`/webhook`, `/health`, `/actions`) plus `GET /healthz`,
like every other service of the stack. Run with `python -m actions.server --port 5055`.
Only Rasa may call it: every route but the health checks needs
`Authorization: Bearer <secrets.actions_token>` (actions/webhook_auth.py)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import city_client, metrics, webhook_auth
from actions.settings import ActionsConfigError, current_settings
from spoken.privacy import install_pii_filter


def create_action_app(token: str) -> Sanic[Any, Any]:
    """The app; `token`: what Rasa sends as bearer (empty: only the health checks answer)."""
    executor = metrics.TimedExecutor()  # gorod_action_run_seconds (actions/metrics.py)
    executor.register_package("actions")
    executor.prepare_metrics()
    app: Sanic[Any, Any] = create_app(executor)
    metrics.install(app)  # GET /metrics, open like /healthz; before the bearer check
    webhook_auth.install(app, token)
    count = len(executor.actions)

    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok", "actions": count})

    app.add_route(healthz, "/healthz", methods=["GET"])

    async def close_city(*_: Any) -> None:  # the actions' shared city connections
        await city_client.close_shared()

    app.register_listener(close_city, "after_server_stop")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    try:
        token = current_settings().secrets.actions_token  # config checked at start
    except ActionsConfigError as exc:
        parser.exit(2, f"error: {exc}\n")
    if not token:
        parser.exit(2, "error: secrets.actions_token is empty: Rasa's calls could not be told "
                    "from anyone's (`assistant up` sets ASSISTANT_SECRETS__ACTIONS_TOKEN)\n")
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every city request at INFO ("HTTP Request: GET ..."): per-call CPU that
    # gorod_city_call_seconds{service,outcome} (actions/metrics.py) already covers; its failures
    # are logged by actions/city_client.py at WARNING
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_pii_filter()  # policy numbers, dates, tokens masked in every line (spoken.privacy)
    create_action_app(token).run(host=args.host, port=args.port, single_process=True,
                                 access_log=False, motd=False)


if __name__ == "__main__":
    main()
