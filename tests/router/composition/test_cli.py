from __future__ import annotations

import io
from pathlib import Path

import pytest

from router.composition.cli import main

from .cases import FLEET, FLEET_PORTS


def _config(tmp_path: Path) -> Path:
    lines = ["subgraphs:"]
    for name, port in FLEET_PORTS.items():
        lines += [
            f"  {name}:",
            f"    routing_url: http://127.0.0.1:{port}/graphql",
            f"    schema: {{file: {FLEET / 'schemas' / (name + '.graphql')}}}",
        ]
    path = tmp_path / "supergraph.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_compose_writes_apollos_supergraph(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"
    code, _, _ = _run("compose", "--config", str(_config(tmp_path)), "--output", str(output))
    assert code == 0
    assert output.read_text() == (FLEET / "supergraph.graphql").read_text()


def test_check_passes_when_fresh_and_fails_with_breaking_changes_when_stale(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text((FLEET / "supergraph.graphql").read_text())
    assert _run("check", "--config", str(config), "--supergraph", str(supergraph))[0] == 0
    stale = supergraph.read_text().replace(
        "  name: String @join__field(graph: ACCOUNTS)\n",
        "  name: String! @join__field(graph: ACCOUNTS)\n"
        "  email: String @join__field(graph: ACCOUNTS)\n",
    )
    supergraph.write_text(stale)
    code, out, _ = _run("check", "--config", str(config), "--supergraph", str(supergraph))
    assert code == 1
    assert "is stale" in out
    assert "BREAKING FIELD_REMOVED: Field User.email was removed." in out
    assert "User.name changed type from String! to String" in out


def test_composition_errors_exit_1_with_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")\n'
        "type Query { me: Int }"
    )
    config = _config(tmp_path)
    config.write_text(
        config.read_text() + f"  bad:\n    routing_url: http://x\n    schema: {{file: {bad}}}\n"
    )
    code, _, err = _run("compose", "--config", str(config))
    assert code == 1
    assert "error FIELD_TYPE_MISMATCH" in err and "error INVALID_FIELD_SHARING" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("compose", "--config", "/nonexistent/supergraph.yaml"),
        ("api-schema", "--supergraph", "/nonexistent/schema.graphql"),
    ],
)
def test_bad_input_exits_2(argv: tuple[str, ...]) -> None:
    code, _, err = _run(*argv)
    assert code == 2 and err.startswith("error ")


def test_api_schema_prints_the_client_view() -> None:
    code, out, _ = _run("api-schema", "--supergraph", str(FLEET / "supergraph.graphql"))
    assert code == 0
    assert "join__" not in out and "type User {" in out
