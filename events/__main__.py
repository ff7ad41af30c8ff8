"""``python -m events webhook [--host H] [--port P]``: serve the HTTP webhook bridge
(``events.webhook``) on the bus the environment names (``EVENTS_URL``: NATS JetStream,
else the embedded bus in the events database). Secrets: ``INTEGRATION_SECRET_<SOURCE>``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

import uvicorn

from events.connect import open_bus
from events.webhook import secrets_from_env, webhook_app

__all__ = ["main"]


async def _serve(host: str, port: int) -> None:
    secrets = secrets_from_env()
    if not secrets:
        sys.exit("no INTEGRATION_SECRET_<SOURCE> set: the webhook would accept no source")
    bus = open_bus()
    try:
        config = uvicorn.Config(webhook_app(bus, secrets), host=host, port=port)
        await uvicorn.Server(config).serve()
    finally:
        await bus.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m events", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    webhook = commands.add_parser("webhook", help="serve POST /integration/{source}")
    webhook.add_argument("--host", default="127.0.0.1")
    webhook.add_argument("--port", type=int, default=4010)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
