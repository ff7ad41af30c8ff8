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

from subgraphs.common import event_loop
from subgraphs.common.identity import verifier_from_environment
from subgraphs.common.schema import service_sdl
from subgraphs.registry import DOMAINS, local_url
from subgraphs.serving import serve_subgraph


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
    port = args.port or DOMAINS[args.domain].port
    await serve_subgraph(args.domain, args.host, port, _peer_urls(args.domain, args.peer))


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
        try:  # OPS_MODE=production without ROUTER_IDENTITY_SECRET: refuse to start
            verifier_from_environment()
        except ValueError as error:
            raise SystemExit(f"python -m subgraphs: error: {error}") from None
        event_loop.run(_serve(args))
    else:
        _print_sdl(args)


if __name__ == "__main__":
    main()
