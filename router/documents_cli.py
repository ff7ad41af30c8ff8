"""``python -m router documents build|check``: trusted-document manifests.

``build DIR -o manifest.json`` reads every ``.graphql`` file under ``DIR`` (fragments may
live in any of them) and writes Apollo's persisted-query manifest: one entry per named
operation, its body the operation and the fragments it uses, printed by graphql-core, its
id the SHA-256 of the body (what Apollo Client's persisted-queries link sends).
``check manifest.json --supergraph schema.graphql`` validates every body against the
supergraph's API schema and exits 1 naming each operation that no longer validates (run
it in CI before composing a schema change).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    validate,
    visit,
)
from graphql.language import Visitor

from router.persisted_queries import sha256_hex
from router.supergraph import Supergraph
from router.trusted_documents import MANIFEST_FORMAT, load_manifest

__all__ = ["add_documents_parser", "build_manifest", "check_manifest", "run_documents"]


def add_documents_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "documents", help="build and check trusted-document manifests (safelisting)"
    )
    actions = parser.add_subparsers(dest="documents_command", required=True)
    build = actions.add_parser("build", help="a manifest from a folder of .graphql files")
    build.add_argument("directory", type=Path)
    build.add_argument("-o", "--output", type=Path, required=True)
    check = actions.add_parser("check", help="fail on operations the schema no longer accepts")
    check.add_argument("manifest", type=Path)
    check.add_argument("--supergraph", type=Path, required=True)


def run_documents(args: argparse.Namespace, out: TextIO) -> int:
    if args.documents_command == "build":
        manifest = build_manifest(args.directory)
        args.output.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"{len(manifest['operations'])} operations written to {args.output}", file=out)
        return 0
    sdl = args.supergraph.read_text(encoding="utf-8")
    problems = check_manifest(args.manifest, sdl)
    for problem in problems:
        print(problem, file=out)
    if problems:
        return 1
    print(f"{args.manifest}: every operation validates", file=out)
    return 0


def build_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of every named operation in ``directory``'s ``.graphql`` files."""
    files = sorted(directory.rglob("*.graphql"))
    if not files:
        raise ValueError(f"{directory}: no .graphql files")
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[tuple[Path, OperationDefinitionNode]] = []
    for path in files:
        try:
            document = parse(path.read_text(encoding="utf-8"), no_location=True)
        except GraphQLError as error:
            raise ValueError(f"{path}: {error.message}") from None
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments:
                    raise ValueError(f"{path}: fragment {name} is defined twice")
                fragments[name] = definition
            elif isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise ValueError(f"{path}: every operation needs a name")
                operations.append((path, definition))
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for path, operation in operations:
        name = operation.name.value if operation.name else ""
        if name in seen:
            raise ValueError(f"{path}: operation {name} is defined twice")
        seen.add(name)
        used = _fragments_used(operation, fragments, path)
        body = print_ast(DocumentNode(definitions=(operation, *used)))
        entries.append(
            {"id": sha256_hex(body), "name": name, "type": operation.operation.value, "body": body}
        )
    return {"format": MANIFEST_FORMAT, "version": 1, "operations": entries}


def _spreads(node: Node) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


def _fragments_used(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    path: Path,
) -> list[FragmentDefinitionNode]:
    """The fragments ``operation`` spreads, transitively, sorted by name (stable bodies)."""
    found: dict[str, FragmentDefinitionNode] = {}
    pending = _spreads(operation)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        fragment = fragments.get(name)
        if fragment is None:
            raise ValueError(f"{path}: fragment {name} is not defined in any file")
        found[name] = fragment
        pending.extend(_spreads(fragment))
    return [found[name] for name in sorted(found)]


def check_manifest(manifest: Path, supergraph_sdl: str) -> list[str]:
    """One line per operation that does not parse or validate against the API schema."""
    schema = Supergraph.from_sdl(supergraph_sdl).api_schema
    problems = []
    for operation in load_manifest(manifest):
        label = f"{operation.name or operation.id}"
        try:
            document = parse(operation.body)
        except GraphQLError as error:
            problems.append(f"{label}: does not parse: {error.message}")
            continue
        errors = validate(schema, document)
        problems.extend(f"{label}: {error.message}" for error in errors)
    return problems
