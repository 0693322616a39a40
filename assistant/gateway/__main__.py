"""`python -m assistant.gateway [--host H] [--port P]`: the gateway behind uvicorn, with the
header/body read deadlines, connection cap and frame caps of config.yml `gateway:` and
`channels:`, and the graceful drain of SIGTERM (assistant.gateway.server). `assistant up` starts
it this way."""

from __future__ import annotations

import argparse

from assistant.gateway.app import create_app
from assistant.gateway.logs import configure_logging
from assistant.gateway.server import gateway_server
from assistant.settings import ConfigError, load_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assistant.gateway", description=__doc__)
    parser.add_argument("--host", help="bind address (default: config.yml host)")
    parser.add_argument("--port", type=int, help="TCP port (default: config.yml ports.gateway)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        parser.exit(2, f"error: {exc}\n")
    configure_logging(mask=settings.privacy.log_mask)
    host = args.host or settings.host
    port = settings.ports.gateway if args.port is None else args.port
    gateway_server(settings, create_app(settings), host, port).run()


if __name__ == "__main__":
    main()
