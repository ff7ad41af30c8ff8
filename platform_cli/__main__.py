"""``ops-platform dev``: seed the embedded database (first run) and serve the whole platform.

ops-platform dev [--port 4000] [--customers N --orders N] [--no-subgraph-ports]
ops-platform token staff | customer [--id N]   (a bearer token the dev platform accepts)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from models.seed.generate import Scale
from platform_cli.dev import DevOptions, run
from platform_cli.dev_credentials import DevCredentials
from platform_cli.serving import PortInUse
from subgraphs.common import event_loop

_DEFAULT = DevOptions()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ops-platform",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="every subgraph and the router in one process")
    dev.add_argument("--host", default=_DEFAULT.host)
    dev.add_argument("--port", type=int, default=_DEFAULT.port)
    dev.add_argument("--supergraph", type=Path, default=_DEFAULT.supergraph)
    dev.add_argument("--customers", type=int, default=_DEFAULT.scale.customers)
    dev.add_argument("--orders", type=int, default=_DEFAULT.scale.orders)
    dev.add_argument(
        "--no-subgraph-ports",
        action="store_true",
        help="do not also listen on each subgraph's own port",
    )
    token = commands.add_parser("token", help="print a bearer token of the dev platform")
    token.add_argument("role", choices=["staff", "customer"])
    token.add_argument("--id", default="1", help="the customer's id (role customer)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per in-process request
    args = _parse(argv)
    if args.command == "token":
        credentials = DevCredentials()
        staff = args.role == "staff"
        print(credentials.staff_token() if staff else credentials.customer_token(args.id))
        return
    options = DevOptions(
        host=args.host,
        port=args.port,
        supergraph=args.supergraph,
        scale=Scale(customers=args.customers, orders=args.orders),
        expose_subgraphs=not args.no_subgraph_ports,
    )
    try:
        event_loop.run(run(options))
    except PortInUse as error:
        sys.exit(f"ops-platform: {error}")
    except KeyboardInterrupt:  # Ctrl-C before the servers took over the signal (seeding)
        print("\nops-platform: interrupted", file=sys.stderr)
        sys.exit(130)
    print("ops-platform: stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
