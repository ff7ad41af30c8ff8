"""CI guard: the checked-in ``schema.graphql`` is what composing ``supergraph.yaml`` gives."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from router.composition.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not (ROOT / "supergraph.yaml").exists(), reason="no supergraph.yaml")
def test_schema_graphql_is_not_stale() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "check",
            "--config",
            str(ROOT / "supergraph.yaml"),
            "--supergraph",
            str(ROOT / "schema.graphql"),
        ],
        out=out,
        err=err,
    )
    assert code == 0, out.getvalue() + err.getvalue()
