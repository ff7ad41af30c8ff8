"""``python -m router documents build|check`` and the repository's router.yaml."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from router.__main__ import main
from router.config import parse_config
from router.persisted_queries import sha256_hex
from router.trusted_documents import SafelistMode, TrustedDocuments, load_manifest
from tests.router.test_graphiql import SUPERGRAPH

REPOSITORY = Path(__file__).resolve().parents[3]


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def operations(tmp_path: Path) -> Path:
    folder = tmp_path / "operations"
    write(folder, "products.graphql", "query TopNames { topProducts { ...Named } }\n")
    write(
        folder,
        "fragments/named.graphql",
        "fragment Named on Product { name ...Priced }\n"
        "fragment Priced on Product { price }\nfragment Unused on Product { upc }\n",
    )
    write(folder, "me.graphql", "# who is asking\nquery Me { me { name } }\n")
    return folder


def test_build_writes_one_entry_per_operation_with_its_fragments(
    operations: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "manifest.json"
    assert main(["documents", "build", str(operations), "-o", str(output)]) == 0
    assert "2 operations" in capsys.readouterr().out
    data = json.loads(output.read_text())
    assert data["format"] == "apollo-persisted-query-manifest" and data["version"] == 1
    by_name = {entry["name"]: entry for entry in data["operations"]}
    assert set(by_name) == {"Me", "TopNames"}
    top = by_name["TopNames"]
    assert top["type"] == "query" and top["id"] == sha256_hex(top["body"])
    assert "fragment Named" in top["body"] and "fragment Priced" in top["body"]
    assert "Unused" not in top["body"]
    # what Apollo Client's persisted-queries link would send: the hash of the body
    trusted = TrustedDocuments(load_manifest(output), SafelistMode.SAFELIST)
    assert trusted.body(sha256_hex(top["body"])) == top["body"]


def test_build_refuses_anonymous_operations_and_missing_fragments(tmp_path: Path) -> None:
    write(tmp_path / "a", "x.graphql", "{ topProducts { name } }")
    write(tmp_path / "b", "x.graphql", "query A { topProducts { ...Missing } }")
    for folder, message in (("a", "needs a name"), ("b", "fragment Missing")):
        with pytest.raises(SystemExit) as exit_info:
            main(["documents", "build", str(tmp_path / folder), "-o", str(tmp_path / "m.json")])
        assert exit_info.value.code == 2, message


def test_check_fails_on_operations_the_schema_no_longer_accepts(
    operations: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "manifest.json"
    write(operations, "stale.graphql", "query Stale { topProducts { removedField } }")
    assert main(["documents", "build", str(operations), "-o", str(output)]) == 0
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    status = main(["documents", "check", str(output), "--supergraph", str(SUPERGRAPH)])
    lines = out.getvalue().splitlines()
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith("Stale: ") and "removedField" in lines[0]


def test_check_passes_a_valid_manifest(
    operations: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "manifest.json"
    assert main(["documents", "build", str(operations), "-o", str(output)]) == 0
    status = main(["documents", "check", str(output), "--supergraph", str(SUPERGRAPH)])
    assert status == 0, capsys.readouterr().out


def test_the_repositorys_router_yaml_has_the_safety_sections() -> None:
    text = (REPOSITORY / "router.yaml").read_text(encoding="utf-8")
    config = parse_config(text, environ={"ROUTER_IDENTITY_SECRET": "x" * 32})
    assert config.apq.enabled and config.csrf.enabled and config.security_headers.enabled
    assert config.trusted_documents.mode is SafelistMode.ALLOW_ALL


def test_serve_refuses_to_start_on_a_bad_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text('{"format": "other"}', encoding="utf-8")
    config = tmp_path / "router.yaml"
    config.write_text(
        f"trusted_documents:\n  manifest: {tmp_path / 'manifest.json'}\n  mode: safelist\n"
        "identity_propagation:\n  secret: " + "s" * 32 + "\napi_keys:\n  enabled: false\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("router.__main__.serve", lambda *_a, **_k: pytest.fail("served"))
    monkeypatch.setenv("OPS_MODE", "")
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--workers", "1", "--supergraph", str(SUPERGRAPH), "--config", str(config)])
    assert exit_info.value.code == 2
    assert "'format' must be 'apollo-persisted-query-manifest'" in capsys.readouterr().err
