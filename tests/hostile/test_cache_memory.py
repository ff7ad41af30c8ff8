"""Distinct large documents must not grow the router's caches past their byte bound."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from router.pipeline import DEFAULT_MAX_CACHED_QUERY_BYTES, PreparedOperation, Router
from router.request import GraphQLRequest

SUPERGRAPH = Path(__file__).resolve().parents[2] / "tests/fixtures/fleet/supergraph.graphql"
FIELDS = "upc name price reviews { id body author { id name username } }"


def _document(serial: int, root_fields: int, alias_length: int = 8) -> str:
    prefix = f"r{serial}_".ljust(alias_length, "x")
    body = " ".join(f"{prefix}{j}: topProducts {{ {FIELDS} }}" for j in range(root_fields))
    return "{ " + body + " }"


def _growth(router: Router, documents: list[str]) -> int:
    """Bytes still allocated after preparing ``documents`` (what the caches keep)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for query in documents:
            assert isinstance(router.prepare(GraphQLRequest(query)), PreparedOperation)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()


def _router(cache_bytes: int) -> Router:
    return Router.from_supergraph_sdl(SUPERGRAPH.read_text(), cache_bytes=cache_bytes)


def test_distinct_documents_stay_within_the_cache_bound() -> None:
    bound = 2 * 1024 * 1024
    documents = [_document(serial, 30) for serial in range(16)]  # ~3 KB each
    bounded = _growth(_router(bound), documents)
    by_count_only = _growth(_router(2**40), documents)  # what 512 entries would keep
    assert bounded < bound * 1.25
    assert by_count_only > 4 * bounded


def test_documents_over_the_cacheable_size_are_not_kept() -> None:
    large = [_document(serial, 50, alias_length=700) for serial in range(3)]
    assert all(len(query) > DEFAULT_MAX_CACHED_QUERY_BYTES for query in large)
    small = [_document(100 + serial, 50) for serial in range(3)]
    router = _router(2**40)
    assert _growth(router, large) < _growth(router, small) / 4
