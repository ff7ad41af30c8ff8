"""docs/access.md is generated from schema.graphql and must not go stale."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from router.__main__ import main
from router.authorization.access_table import access_table, describe
from router.authorization.requirements import Requirement

ROOT = Path(__file__).resolve().parents[3]


def test_docs_access_md_is_the_table_of_schema_graphql() -> None:
    expected = access_table((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    assert (ROOT / "docs" / "access.md").read_text(encoding="utf-8") == expected, (
        "docs/access.md is stale: python -m router access-table --supergraph schema.graphql"
        " > docs/access.md"
    )


def test_the_command_prints_the_table() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["access-table", "--supergraph", str(ROOT / "schema.graphql")]) == 0
    assert out.getvalue() == (ROOT / "docs" / "access.md").read_text(encoding="utf-8")


def test_every_api_field_has_a_row() -> None:
    table = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    for coordinate in ("Query.customers", "Mutation.placeOrder", "Product.inStock", "Money.amount"):
        assert f"| {coordinate} |" in table
    assert "| Query.products | public | public |" in table
    assert "policy customer_bulk_read" in table


def test_requirements_are_described_in_disjunctive_normal_form() -> None:
    requirement = Requirement(
        authenticated=True,
        scopes=(frozenset({"a"}), frozenset({"b", "c"})),
        policies=(frozenset({"p"}),),
    )
    assert describe(requirement) == "authenticated AND scopes (a OR (b AND c)) AND policy p"
    assert describe(Requirement()) == "public"
