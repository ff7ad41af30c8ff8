"""Run one subgraph standalone, or print its SDL.

    python -m subgraphs serve customers [--host 127.0.0.1] [--port 4001] [--peer orders=URL ...]
    python -m subgraphs sdl customers
    python -m subgraphs sdl --all --out-dir DIR

The subgraph's store comes from ``DATABASE_URL_<DOMAIN>`` or ``DATABASE_URL`` (embedded
SQLite by default); its tables are created at start-up if missing. Peers (the domains it
calls) default to the registry's ports on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import uvicorn

from models.database import database_url, open_database
from subgraphs.common import event_loop
from subgraphs.common.peers import Peers
from subgraphs.common.schema import service_sdl
from subgraphs.registry import DOMAINS, create_app, local_url


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
        help="URL of a domain this one calls (repeatable)",
    )
    sdl = commands.add_parser("sdl", help="print a subgraph's federation SDL")
    sdl.add_argument("domain", nargs="?", choices=sorted(DOMAINS))
    sdl.add_argument("--all", action="store_true", help="every domain, into --out-dir")
    sdl.add_argument("--out-dir", type=Path, default=Path("."))
    return parser.parse_args(argv)


def _peer_urls(domain: str, overrides: list[str]) -> dict[str, str]:
    urls = {peer: local_url(peer) for peer in DOMAINS[domain].calls}
    for item in overrides:
        name, _, url = item.partition("=")
        if name not in DOMAINS or not url:
            raise SystemExit(f"--peer expects NAME=URL with NAME in {sorted(DOMAINS)}: {item!r}")
        urls[name] = url
    return urls


async def _serve(args: argparse.Namespace) -> None:
    database = open_database(database_url(args.domain))
    limits = httpx.Limits(max_keepalive_connections=20)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        peers = Peers(urls=_peer_urls(args.domain, args.peer), client=client)
        app = create_app(args.domain, database, peers)
        port = args.port or DOMAINS[args.domain].port
        config = uvicorn.Config(app, host=args.host, port=port, log_level="info")
        try:
            await uvicorn.Server(config).serve()
        finally:
            await database.dispose()


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
        event_loop.run(_serve(args))
    else:
        _print_sdl(args)


if __name__ == "__main__":
    main()
