"""Documents that cost the router's preparation a lot: each is bounded by counting work."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from bench.hostile import alias_fan_out, deep_nesting, fragment_bomb, long_name
from router.limits import OperationLimits, check_limits
from router.operation import _Normalizer
from router.pipeline import DEFAULT_MAX_CACHED_QUERY_BYTES, PreparedOperation, Router
from router.request import GraphQLRequest, RequestError, RequestErrorKind
from router.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "tests/fixtures/fleet/supergraph.graphql"
NO_LIMITS = OperationLimits.unlimited()


@pytest.fixture(scope="module")
def supergraph() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))


def _router(supergraph: Supergraph, limits: OperationLimits | None = None) -> Router:
    sdl = SUPERGRAPH.read_text(encoding="utf-8")
    return Router.from_supergraph_sdl(sdl, limits=limits)


def _normalization_work(supergraph: Supergraph, query: str) -> tuple[int, int]:
    """Selection nodes the normaliser visited, and the fields of its result."""
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    normalizer = _Normalizer(supergraph.api_schema, fragments, {})
    root = supergraph.api_schema.query_type
    assert root is not None
    selections = normalizer.selections(operation.selection_set, root)
    (me,) = selections
    return normalizer.work, len(me.selections)


def test_fragment_bomb_normalises_in_linear_work(supergraph: Supergraph) -> None:
    """Inlined naively, 21 levels are 2**21 selections; memoised, each level adds the same."""
    work = {levels: _normalization_work(supergraph, fragment_bomb(levels)) for levels in (5, 21)}
    assert work[5][1] == work[21][1] == 1  # one `id` field, merged
    per_level = (work[21][0] - work[5][0]) / 16
    assert per_level == 2  # two spreads per fragment, each visited once
    assert work[21][0] < 100 < 2**21


def test_fragment_bomb_is_prepared_like_a_normal_query(supergraph: Supergraph) -> None:
    """With limits off, the bomb plans to the same plan as ``{ me { id } }``."""
    router = _router(supergraph, NO_LIMITS)
    bomb = router.prepare(GraphQLRequest(fragment_bomb(21)))
    normal = router.prepare(GraphQLRequest("{ me { id } }"))
    assert isinstance(bomb, PreparedOperation) and isinstance(normal, PreparedOperation)
    assert router.explain(bomb) == router.explain(normal)


def _codes(result: PreparedOperation | RequestError) -> list[str]:
    assert isinstance(result, RequestError), result
    return [error["extensions"]["code"] for error in result.errors]


def test_recursive_selections_limit_counts_the_inlined_bomb(supergraph: Supergraph) -> None:
    result = _router(supergraph).prepare(GraphQLRequest(fragment_bomb(21)))
    assert _codes(result) == ["MAX_RECURSIVE_SELECTIONS_LIMIT"]
    assert isinstance(result, RequestError) and result.kind is RequestErrorKind.LIMIT
    # counted exactly without inlining: me, the spread, then 3 * 2**21 - 2 under F0
    document = parse(fragment_bomb(21))
    inlined = 3 * 2**21
    assert check_limits(document, OperationLimits(max_recursive_selections=inlined)) == []
    (violation,) = check_limits(document, OperationLimits(max_recursive_selections=inlined - 1))
    assert violation.code == "MAX_RECURSIVE_SELECTIONS_LIMIT"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ me { " + " ".join(f"a{i}: id" for i in range(129)) + " } }", "MAX_ALIASES_LIMIT"),
        ("{ " + " ".join("me { id }" for _ in range(65)) + " }", "MAX_ROOT_FIELDS_LIMIT"),
        (deep_nesting(33), "MAX_DEPTH_LIMIT"),
        (alias_fan_out(3_000), "MAX_TOKENS_LIMIT"),
        (alias_fan_out(10_000), "MAX_DOCUMENT_SIZE_LIMIT"),
    ],
    ids=["aliases", "root-fields", "depth", "tokens", "document-size"],
)
def test_each_limit_has_its_code(supergraph: Supergraph, query: str, code: str) -> None:
    assert _codes(_router(supergraph).prepare(GraphQLRequest(query))) == [code]


def test_limits_count_through_fragments(supergraph: Supergraph) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(20))
    query = "{ me { ...A ...A ...A ...A ...A ...A ...A } } fragment A on User { " + aliases + " }"
    assert _codes(_router(supergraph).prepare(GraphQLRequest(query))) == ["MAX_ALIASES_LIMIT"]
    within = query.replace("...A ...A ...A ...A ...A ...A ...A", "...A ...A")
    assert isinstance(_router(supergraph).prepare(GraphQLRequest(within)), PreparedOperation)


def test_limits_leave_normal_operations_alone(supergraph: Supergraph) -> None:
    router = _router(supergraph)
    for query in (
        "{ topProducts { name inStock reviews { author { username } } } }",
        alias_fan_out(64),
        deep_nesting(30),
    ):
        assert isinstance(router.prepare(GraphQLRequest(query)), PreparedOperation), query


def test_cycles_and_unknown_fragments_are_left_to_validation(supergraph: Supergraph) -> None:
    router = _router(supergraph)
    cycle = "{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }"
    unknown = "{ me { ...Nowhere } }"
    assert _codes(router.prepare(GraphQLRequest(cycle))) == ["GRAPHQL_VALIDATION_FAILED"]
    assert _codes(router.prepare(GraphQLRequest(unknown))) == ["GRAPHQL_VALIDATION_FAILED"]


def test_nesting_beyond_the_parser_is_a_limit_error(supergraph: Supergraph) -> None:
    query = "{ me " + "{ reviews " * 3000 + "{ id }" + " }" * 3001
    result = _router(supergraph, OperationLimits(max_tokens=None)).prepare(GraphQLRequest(query))
    assert _codes(result) in (["MAX_DEPTH_LIMIT"], ["GRAPHQL_PARSE_FAILED"])


@pytest.mark.parametrize("where", ["field", "alias", "operation name"])
def test_long_names_are_truncated_in_messages(supergraph: Supergraph, where: str) -> None:
    name = "x" * 1_000_000
    request = {
        "field": GraphQLRequest(long_name(1_000_000)),
        "alias": GraphQLRequest(f"{{ me {{ {name}: id {name}: name }} }}"),
        "operation name": GraphQLRequest("{ me { id } }", operation_name=name),
    }[where]
    result = _router(supergraph, OperationLimits(max_document_bytes=None)).prepare(request)
    assert isinstance(result, RequestError)
    (error,) = result.errors
    assert len(error["message"]) < 300
    assert "x" * 100 + "..." in error["message"]


def test_a_large_refused_document_is_remembered_by_its_digest(supergraph: Supergraph) -> None:
    """Over the cacheable size a text is not kept, but a refusal is (by SHA-256): sending
    the same large hostile document again costs a hash, not a parse."""
    router = _router(supergraph, OperationLimits(max_tokens=None, max_document_bytes=None))
    refused = GraphQLRequest(alias_fan_out(3_000))  # ~45 KB, over the alias and root-field limits
    answered = GraphQLRequest("{ me { id } } " + "#" * 40_000)
    assert len(refused.query) > DEFAULT_MAX_CACHED_QUERY_BYTES
    for request in (refused, answered):
        assert not router._preparer.is_cached(request)
        router.prepare(request)
    assert router._preparer.is_cached(refused)
    assert not router._preparer.is_cached(answered)  # a large valid document is not kept
    assert _codes(router.prepare(refused)) == ["MAX_ALIASES_LIMIT", "MAX_ROOT_FIELDS_LIMIT"]
    assert not router._preparer.is_cached(GraphQLRequest(alias_fan_out(3_001)))


def test_refused_documents_weigh_their_text_not_an_ast(supergraph: Supergraph) -> None:
    """A refusal keeps no AST or plan: weighed like one, 30 KB refusals would evict each
    other (and every plan) from the cache, and an attacker cycling through a few would
    be parsed every time."""
    router = _router(supergraph)
    documents = [alias_fan_out(1_900 + serial) for serial in range(20)]  # ~30 KB each
    assert all(len(query) < DEFAULT_MAX_CACHED_QUERY_BYTES for query in documents)
    for query in documents:
        assert _codes(router.prepare(GraphQLRequest(query))) == [
            "MAX_ALIASES_LIMIT",
            "MAX_ROOT_FIELDS_LIMIT",
        ]
    cache = router._preparer.documents
    assert all(router._preparer.is_cached(GraphQLRequest(query)) for query in documents)
    assert cache.total_bytes < 2 * sum(len(query) for query in documents)
