"""Regenerate the expected composition fixtures with Apollo's composition (peers/compose.mjs).

    .venv/bin/python -m tests.router.composition.record [case ...]

Each ``fixtures/valid/<case>/`` holds ``<subgraph>.graphql`` files and gets ``supergraph.graphql``
and ``api_schema.graphql`` (Apollo's ``toAPISchema`` of it);
each ``fixtures/invalid/<case>/`` gets ``expected.json`` (Apollo's error codes and messages).
Routing URLs follow :func:`routing_url`. Needs Node and the peers (``tests.peers``);
the tests themselves only read the recorded files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.peers import PEERS_DIR

FIXTURES = Path(__file__).parent / "fixtures"
OUTPUTS = {"supergraph.graphql", "api_schema.graphql", "expected.json"}
API_SCHEMA_JS = """
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.argv[1]);
const { Supergraph, printSchema } = require('@apollo/federation-internals');
const sdl = readFileSync(process.argv[2], 'utf8');
const api = Supergraph.build(sdl, { supportedFeatures: null }).apiSchema();
process.stdout.write(printSchema(api) + '\\n');
"""


def routing_url(subgraph: str) -> str:
    return f"http://{subgraph}.example/graphql"


def subgraph_files(case: Path) -> list[Path]:
    return sorted(p for p in case.glob("*.graphql") if p.name not in OUTPUTS)


def compose(case: Path) -> subprocess.CompletedProcess[str]:
    args = ["node", str(PEERS_DIR / "compose.mjs")]
    for sdl in subgraph_files(case):
        args += [f"{sdl.stem}={sdl}", "--url", f"{sdl.stem}={routing_url(sdl.stem)}"]
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


def record_valid(case: Path) -> None:
    result = compose(case)
    if result.returncode != 0:
        raise SystemExit(f"{case.name}: Apollo failed to compose:\n{result.stderr}")
    (case / "supergraph.graphql").write_text(result.stdout)
    api = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            API_SCHEMA_JS,
            str(PEERS_DIR / "package.json"),
            str(case / "supergraph.graphql"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    (case / "api_schema.graphql").write_text(api.stdout)


def parse_errors(stderr: str) -> list[list[str]]:
    """``[code, message]`` per ``error CODE: message`` entry; messages may span lines."""
    errors: list[list[str]] = []
    for line in stderr.splitlines():
        if line.startswith("error "):
            errors.append(line[len("error ") :].split(": ", 1))
        elif errors and not line.startswith(("composition failed:", "hint ", "compose.mjs:")):
            errors[-1][1] += "\n" + line
    return errors


def record_invalid(case: Path) -> None:
    result = compose(case)
    if result.returncode != 1:
        raise SystemExit(f"{case.name}: expected composition errors, got exit {result.returncode}")
    errors = parse_errors(result.stderr)
    expected = {
        "codes": sorted({code for code, _ in errors}),
        "messages": [f"{code}: {message}" for code, message in errors],
    }
    (case / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


def main(names: list[str]) -> None:
    for kind, record in (("valid", record_valid), ("invalid", record_invalid)):
        for case in sorted((FIXTURES / kind).iterdir()):
            if case.is_dir() and (not names or case.name in names):
                record(case)
                print(f"recorded {kind}/{case.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
