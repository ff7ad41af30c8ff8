"""Hostile documents: small requests that cost a router a lot (issue 9), for tests and bench.

Each builder takes the type or field to aim at, so the same attack runs against the test
fleet (``User``, ``me``) and the project's supergraph (``Customer``, ``customer(id:)``).
"""

from __future__ import annotations

__all__ = [
    "alias_fan_out",
    "deep_nesting",
    "fragment_bomb",
    "hostile_mix",
    "long_name",
    "overlapping_fragments",
    "schema_aliases",
]


def fragment_bomb(levels: int, on: str = "User", leaf: str = "id", root: str = "me") -> str:
    """``F0`` spreads ``F1`` twice, ``F1`` spreads ``F2`` twice, ...: 2**levels leaves when
    inlined naively, from a document of a few hundred bytes."""
    fragments = [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return f"{{ {root} {{ ...F0 }} }} " + " ".join(fragments)


def alias_fan_out(count: int, field: str = "me { id }") -> str:
    """``count`` aliases of one root field."""
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def schema_aliases(count: int) -> str:
    """``count`` aliased full ``__schema`` introspections."""
    schema = "__schema { types { name fields { name type { name kind ofType { name } } } } }"
    return alias_fan_out(count, schema)


def deep_nesting(
    depth: int, fields: tuple[str, ...] = ("reviews", "author"), leaf: str = "id", root: str = "me"
) -> str:
    """``depth`` fields nested under ``root``, taking ``fields`` in turn."""
    opened = " ".join(f"{fields[i % len(fields)]} {{" for i in range(depth))
    return f"{{ {root} {{ {opened} {leaf} " + "}" * (depth + 2)


def overlapping_fragments(count: int, on: str = "User", leaf: str = "id", root: str = "me") -> str:
    """``count`` fragments selecting the same field, all spread in one selection set:
    within every limit, but validation compares the fragments pairwise (quadratic)."""
    spreads = " ".join(f"...F{i}" for i in range(count))
    fragments = " ".join(f"fragment F{i} on {on} {{ {leaf} }}" for i in range(count))
    return f"{{ {root} {{ {spreads} }} }} {fragments}"


def long_name(size: int, root: str = "me") -> str:
    """A field name of ``size`` characters (echoed in the validation error)."""
    return f"{{ {root} {{ {'x' * size} }} }}"


def hostile_mix(on: str, root: str, leaf: str) -> tuple[tuple[str, str], ...]:
    """(name, document) pairs of every attack, aimed at ``root`` returning ``on``."""
    return (
        ("fragment-bomb-21", fragment_bomb(21, on, leaf, root)),
        ("aliases-10000", alias_fan_out(10_000, f"{root} {{ {leaf} }}")),
        ("aliases-120", alias_fan_out(120, f"{root} {{ {leaf} }}")),
        ("schema-aliases-1000", schema_aliases(1000)),
        ("overlapping-fragments-1000", overlapping_fragments(1000, on, leaf, root)),
        ("long-name-1mb", long_name(1_000_000, root)),
    )
