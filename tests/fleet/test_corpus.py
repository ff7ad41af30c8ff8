from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSyntaxError, parse

from tests.fleet.corpus import CORPUS_DIR, CorpusCase, load_corpus, load_queries

CASES = load_corpus()
SIDE_FILES = {"apollo_fetches.json", "apollo_requests.json", "apollo_status.json", "README.md"}


def test_corpus_is_large_and_every_case_is_recorded() -> None:
    assert len(CASES) >= 70
    assert len({case.name for case in CASES}) == len(CASES)
    assert [case.name for case in CASES] == [query.name for query in load_queries()]


def test_every_file_belongs_to_a_case() -> None:
    names = {case.name for case in CASES}
    suffixes = (".graphql", ".variables.json", ".expected.json", ".plan.json", ".plan.txt")
    for path in CORPUS_DIR.iterdir():
        if path.name in SIDE_FILES:
            continue
        stem = next((path.name.removesuffix(s) for s in suffixes if path.name.endswith(s)), None)
        assert stem in names, path.name


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_is_consistent(case: CorpusCase) -> None:
    assert case.apollo_status in {200, 400, 500}
    assert ("data" in case.expected) == (case.apollo_status == 200)
    assert (case.apollo_fetches > 0) <= (case.apollo_plan is not None)
    if case.apollo_status != 200:
        assert all(error["extensions"]["code"] for error in case.expected["errors"])


def test_apollo_sent_at_most_one_request_per_fetch_node() -> None:
    for case in CASES:
        assert case.apollo_request_count <= case.apollo_fetches, case.name
        assert set(case.apollo_requests) <= {"accounts", "products", "inventory", "reviews"}
    skipped = [case.name for case in CASES if case.apollo_request_count < case.apollo_fetches]
    assert "155-first-zero-with-entity-fields" in skipped
    assert "085-skip-variable-on-entity-field" in skipped


def test_operation_name_comes_from_the_first_line_comment() -> None:
    by_name = {case.name: case for case in CASES}
    second = by_name["127-multi-op-select-second"]
    assert second.operation_name == "B"
    assert second.request_body()["operationName"] == "B"
    assert "variables" not in second.request_body()
    var_first = by_name["065-var-first"]
    assert var_first.request_body() == {
        "query": var_first.query,
        "variables": {"first": 2},
        "operationName": "Top",
    }


def test_explicit_null_variable_is_kept() -> None:
    case = next(case for case in CASES if case.name == "067-var-explicit-null")
    assert case.variables == {"first": None}


def test_graphql_core_parses_like_apollo_only_without_empty_selection_sets() -> None:
    """graphql-core 3.3 accepts ``{ }`` by default; graphql-js (Apollo) does not."""
    with pytest.raises(GraphQLSyntaxError):
        parse("{ }", allow_empty_selection_sets=False)
    parse("{ }")
    for case in CASES:
        parse_failed = any(
            error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
            for error in case.expected.get("errors", ())
        )
        if parse_failed:
            with pytest.raises(GraphQLSyntaxError):
                parse(case.query, allow_empty_selection_sets=False)
        else:
            parse(case.query, allow_empty_selection_sets=False)


def test_load_corpus_reads_another_directory(tmp_path: Path) -> None:
    (tmp_path / "001-x.graphql").write_text("# operationName: Q\nquery Q { me { id } }\n")
    (tmp_path / "001-x.expected.json").write_text('{"data": {"me": {"id": "1"}}}')
    (tmp_path / "apollo_fetches.json").write_text('{"001-x": 1}')
    (tmp_path / "apollo_status.json").write_text('{"001-x": 200}')
    [case] = load_corpus(tmp_path)
    assert (case.name, case.operation_name, case.variables) == ("001-x", "Q", None)
    assert (case.expected, case.apollo_fetches, case.apollo_status) == (
        {"data": {"me": {"id": "1"}}},
        1,
        200,
    )
    assert case.apollo_plan is None
