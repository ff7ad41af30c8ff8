"""``python -m router.composition``: compose, check for staleness, print the API schema.

    compose    --config supergraph.yaml [--output schema.graphql]
    check      --config supergraph.yaml --supergraph schema.graphql
    api-schema --supergraph schema.graphql

Exit codes: 0 success; 1 composition errors, or ``check`` found the file stale; 2 bad input
(config, unreadable subgraph or supergraph). Errors go to stderr as ``error CODE: message``
(the format of Apollo's compose.mjs), so CI logs read the same with either tool.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import httpx
from graphql import GraphQLError, print_schema

from .api_schema import ApiSchemaError, api_schema_from_supergraph
from .breaking import api_changes
from .compose import CompositionResult, compose
from .config import ConfigError, load_config
from .sources import SourceError, load_subgraphs

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m router.composition",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compose_cmd = commands.add_parser("compose", help="compose the subgraphs of a config")
    compose_cmd.add_argument("--config", type=Path, required=True)
    compose_cmd.add_argument("--output", type=Path, help="write here instead of stdout")
    check_cmd = commands.add_parser("check", help="fail when the supergraph file is stale")
    check_cmd.add_argument("--config", type=Path, required=True)
    check_cmd.add_argument("--supergraph", type=Path, required=True)
    api_cmd = commands.add_parser("api-schema", help="print the API schema of a supergraph")
    api_cmd.add_argument("--supergraph", type=Path, required=True)
    return parser


def _compose_config(config: Path, client: httpx.Client, err: TextIO) -> CompositionResult | None:
    try:
        result = compose(load_subgraphs(load_config(config), client))
    except (ConfigError, SourceError) as problem:
        print(f"error {problem.code}: {problem}", file=err)
        return None
    for error in result.errors:
        print(f"error {error.code}: {error.message}", file=err)
    if result.errors:
        print(f"composition failed: {len(result.errors)} error(s)", file=err)
    return result


def _read(path: Path, err: TextIO) -> str | None:
    try:
        return path.read_text()
    except OSError as problem:
        print(f"error INVALID_SUPERGRAPH: cannot read {path}: {problem.strerror}", file=err)
        return None


def _compose(args: argparse.Namespace, client: httpx.Client, out: TextIO, err: TextIO) -> int:
    result = _compose_config(args.config, client, err)
    if result is None:
        return EXIT_BAD_INPUT
    if result.supergraph_sdl is None:
        return EXIT_FAILED
    if args.output is None:
        out.write(result.supergraph_sdl)
    else:
        args.output.write_text(result.supergraph_sdl)
        print(f"wrote {args.output}", file=err)
    return EXIT_OK


def _check(args: argparse.Namespace, client: httpx.Client, out: TextIO, err: TextIO) -> int:
    result = _compose_config(args.config, client, err)
    current = _read(args.supergraph, err)
    if result is None or current is None:
        return EXIT_BAD_INPUT
    if result.supergraph_sdl is None:
        return EXIT_FAILED
    if result.supergraph_sdl == current:
        print(f"{args.supergraph} is up to date", file=out)
        return EXIT_OK
    print(
        f"{args.supergraph} is stale: run `python -m router.composition compose --config"
        f" {args.config} --output {args.supergraph}`",
        file=out,
    )
    diff = difflib.unified_diff(
        current.splitlines(True),
        result.supergraph_sdl.splitlines(True),
        str(args.supergraph),
        "composed",
        n=1,
    )
    out.writelines(diff)
    try:
        changes = api_changes(current, result.supergraph_sdl)
    except (ApiSchemaError, GraphQLError) as problem:
        print(f"cannot compare API schemas: {problem.message}", file=out)
        return EXIT_FAILED
    print(f"API changes against {args.supergraph}: {len(changes)}", file=out)
    for change in changes:
        print(f"  {change}", file=out)
    return EXIT_FAILED


def _api_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    sdl = _read(args.supergraph, err)
    if sdl is None:
        return EXIT_BAD_INPUT
    try:
        schema = api_schema_from_supergraph(sdl)
    except (ApiSchemaError, GraphQLError) as problem:
        print(
            f"error {(problem.extensions or {}).get('code', 'INVALID_SUPERGRAPH')}:"
            f" {problem.message}",
            file=err,
        )
        return EXIT_BAD_INPUT
    out.write(print_schema(schema) + "\n")
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    client: httpx.Client | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run one command; ``client`` reads ``subgraph_url`` sources (one is made if not given)."""
    args = _parser().parse_args(argv)
    if args.command == "api-schema":
        return _api_schema(args, out, err)
    owned = httpx.Client(timeout=10.0) if client is None else None
    try:
        http = client or owned
        assert http is not None
        if args.command == "compose":
            return _compose(args, http, out, err)
        return _check(args, http, out, err)
    finally:
        if owned is not None:
            owned.close()
