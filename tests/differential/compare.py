"""Comparing two GraphQL response bodies, and a readable report of where they differ.

``data`` must be identical, key order included (the router shapes its response in the
operation's order, as graphql-js does). Errors are compared by where they are, not by what
they say: the set of error paths (``None`` for an error without a path) must be the same on
both sides, so "an error at ``topProducts.0.inStock``" matches whatever the message.
``extensions`` are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

__all__ = ["differences", "error_paths", "same_answer", "truncated"]

Body = dict[str, Any]


def error_paths(body: Body) -> set[str | None]:
    """Each error's path, dotted (``topProducts.0.upc``), or None when it has none."""
    paths: set[str | None] = set()
    for error in body.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        paths.add(".".join(str(key) for key in path) if path else None)
    return paths


def differences(ours: Body, theirs: Body) -> list[str]:
    """One line per difference, empty when the answers agree."""
    found = list(_data_differences(ours.get("data"), theirs.get("data"), "data"))
    if ("data" in ours) != ("data" in theirs):
        found.append(f"data: present {('data' in ours)} (ours) vs {('data' in theirs)} (theirs)")
    ours_errors, theirs_errors = error_paths(ours), error_paths(theirs)
    if ours_errors != theirs_errors:
        only_ours = sorted(map(str, ours_errors - theirs_errors))
        only_theirs = sorted(map(str, theirs_errors - ours_errors))
        found.append(f"errors: only ours at {only_ours}, only theirs at {only_theirs}")
    return found


def same_answer(ours: Body, theirs: Body) -> bool:
    return not differences(ours, theirs)


def _data_differences(ours: Any, theirs: Any, path: str) -> Iterator[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if list(ours) != list(theirs):
            yield f"{path}: keys {list(ours)} (ours) vs {list(theirs)} (theirs)"
            return
        for key in ours:
            yield from _data_differences(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (left, right) in enumerate(zip(ours, theirs, strict=True)):
            yield from _data_differences(left, right, f"{path}.{index}")
    elif ours != theirs or type(ours) is not type(theirs):
        yield f"{path}: {_short(ours)} (ours) vs {_short(theirs)} (theirs)"


def _short(value: Any, limit: int = 120) -> str:
    return truncated(json.dumps(value), limit)


def truncated(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
