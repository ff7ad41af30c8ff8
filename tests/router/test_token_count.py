"""The fast token count agrees with graphql-core's lexer on every document of the
repository and on tricky texts, at a fraction of its cost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from graphql import GraphQLError, Source
from graphql.language import Lexer, TokenKind

from router.token_count import count_tokens

REPOSITORY = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    path
    for folder in ("docs", "tests/fixtures", "tests/router", "bench")
    for path in sorted((REPOSITORY / folder).rglob("*.graphql"))
]
TRICKY = [
    '{ a(s: "x\\"y\\u00e9 # not a comment") }',
    '{ a(s: """ a "" \\""" b """) }',
    "{ a(n: -1.5e+3, m: [1, 2, -3], f: 0.25E-2) ...on X { d } ... @include(if: true) { e } }",
    "query Q($v: [Int!]! = [1]) @x { a(v: $v) | & }",
    "{ a }\ufeff# a comment\n{ b } # another",
    "\t,,, { a , b ,}",
    "",
]


def graphql_core_count(text: str) -> int | None:
    """Tokens as ``parse(max_tokens=...)`` counts them (None: the lexer fails)."""
    lexer = Lexer(Source(text))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLError:
        return None
    return count


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts(text: str) -> None:
    assert count_tokens(text) == graphql_core_count(text)


def test_every_operation_and_schema_in_the_repository() -> None:
    assert len(DOCUMENTS) > 20
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        assert count_tokens(text) == graphql_core_count(text), path


def test_counting_costs_a_small_share_of_lexing() -> None:
    text = "{ " + " ".join(f"a{i}: name(first: {i})" for i in range(5000)) + " }"
    started = time.process_time()
    counted = count_tokens(text)
    counting = time.process_time() - started
    started = time.process_time()
    lexed = graphql_core_count(text)
    lexing = time.process_time() - started
    assert counted == lexed == 5000 * 8 + 2
    assert counting < lexing / 5, (counting, lexing)
