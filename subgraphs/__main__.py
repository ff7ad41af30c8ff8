"""Run one subgraph standalone, or print its SDL.

    python -m subgraphs serve orders [--host 127.0.0.1] [--port 4003] [--peer products=URL ...]
        [--workers N]
    python -m subgraphs sdl customers
    python -m subgraphs sdl --all --out-dir DIR

The subgraph's store comes from ``DATABASE_URL_<DOMAIN>`` or ``DATABASE_URL`` (embedded
SQLite by default); its tables are migrated to head at start-up (``OPS_MODE=production``:
checked, and the subgraph refuses to start when they are behind). The domains it calls
(orders calls customers, products, inventory and marketing) are found by --peer, else
SUBGRAPH_URL_<NAME>, else the routing_url in --config (supergraph.yaml); one missing is
an error. The URLs used are logged at start-up.

``--workers N`` (default 1) serves the port from N processes under a pre-fork master
(:mod:`prefork`), each with its own database pool: N times the connections, so size
``DATABASE_POOL_SIZE`` against PostgreSQL's limit; several processes writing one SQLite
file wait on its lock. Worker 0 creates the tables and runs the event workers.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from models.migrate import SchemaBehind, SchemaMismatch
from observability.logs import configure_logging
from observability.tracing import configure_from_environment
from prefork.sockets import reuse_port_sockets
from prefork.supervisor import Supervisor, WorkerSlot
from subgraphs.addresses import DEFAULT_CONFIG, peer_urls
from subgraphs.common import event_loop
from subgraphs.common.graceful_shutdown import DEFAULT_GRACE_SECONDS
from subgraphs.common.identity import verifier_from_environment
from subgraphs.common.schema import service_sdl
from subgraphs.registry import DOMAINS
from subgraphs.serving import prepare_database, serve_subgraph

logger = logging.getLogger("subgraphs")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m subgraphs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve one subgraph over HTTP")
    serve.add_argument("domain", choices=sorted(DOMAINS))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, help="default: the registry's port")
    serve.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="URL of a domain this one calls (repeatable; else SUBGRAPH_URL_<NAME>, else --config)",
    )
    serve.add_argument(
        "--config",
        type=Path,
        default=None,
        help="supergraph.yaml whose routing_url entries locate the peers "
        "(default: ./supergraph.yaml when it exists)",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=DEFAULT_GRACE_SECONDS,
        help="on SIGTERM, seconds in-flight requests may take to finish (then cancelled)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="processes serving the port (default 1)"
    )
    serve.add_argument("--log-level", default="info")
    sdl = commands.add_parser("sdl", help="print a subgraph's federation SDL")
    sdl.add_argument("domain", nargs="?", choices=sorted(DOMAINS))
    sdl.add_argument("--all", action="store_true", help="every domain, into --out-dir")
    sdl.add_argument("--out-dir", type=Path, default=Path("."))
    return parser.parse_args(argv)


def _peer_urls(args: argparse.Namespace) -> dict[str, str]:
    config = args.config
    if config is None and DEFAULT_CONFIG.is_file():
        config = DEFAULT_CONFIG
    try:
        return peer_urls(
            args.domain, DOMAINS[args.domain].calls, overrides=args.peer, config=config
        )
    except (OSError, ValueError) as error:
        raise SystemExit(f"python -m subgraphs serve: error: {error}") from None


async def _serve(
    args: argparse.Namespace, peers: dict[str, str], slot: WorkerSlot | None = None
) -> None:
    port = args.port or DOMAINS[args.domain].port
    await serve_subgraph(
        args.domain,
        args.host,
        port,
        peers,
        log_level=args.log_level,
        shutdown_grace=args.shutdown_grace,
        sock=None if slot is None else slot.socket,
        leader=slot is None or slot.index == 0,
    )


def _serve_workers(args: argparse.Namespace, peers: dict[str, str]) -> int:
    port = args.port or DOMAINS[args.domain].port
    try:
        sockets = reuse_port_sockets(args.host, port, args.workers)
    except (OSError, ValueError) as error:
        raise SystemExit(f"python -m subgraphs serve: error: {error}") from None

    def worker(slot: WorkerSlot) -> int:  # the tracer's export thread is the worker's own
        configure_from_environment(f"subgraph-{args.domain}")
        event_loop.run(_serve(args, peers, slot))
        return 0

    return Supervisor(sockets, worker).run()


def _print_sdl(args: argparse.Namespace) -> None:
    if args.all:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for name, domain in DOMAINS.items():
            (args.out_dir / f"{name}.graphql").write_text(service_sdl(domain.schema))
        return
    if not args.domain:
        raise SystemExit("name a domain or pass --all")
    sys.stdout.write(service_sdl(DOMAINS[args.domain].schema))


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    if args.command == "serve":
        log_format = os.environ.get("LOG_FORMAT", "json")
        configure_logging(args.log_level.upper(), "text" if log_format == "text" else "json")
        try:  # OPS_MODE=production without ROUTER_IDENTITY_SECRET: refuse to start
            verifier_from_environment()
        except ValueError as error:
            raise SystemExit(f"python -m subgraphs: error: {error}") from None
        peers = _peer_urls(args)
        listed = ", ".join(f"{name}={url}" for name, url in peers.items()) or "none"
        logger.info(
            "%s on http://%s:%s/graphql; peers: %s",
            args.domain,
            args.host,
            args.port or DOMAINS[args.domain].port,
            listed,
        )
        try:  # before any worker: one migrator, and a refusal stops the whole serve
            event_loop.run(prepare_database(args.domain))
        except (SchemaBehind, SchemaMismatch) as error:  # e.g. a deploy that skipped migrating
            raise SystemExit(f"python -m subgraphs: error: {error}") from None
        if args.workers > 1:
            sys.exit(_serve_workers(args, peers))
        configure_from_environment(f"subgraph-{args.domain}")  # OTEL_TRACES_EXPORTER etc.
        event_loop.run(_serve(args, peers))
    else:
        _print_sdl(args)


if __name__ == "__main__":
    main()
