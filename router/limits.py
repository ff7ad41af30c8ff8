"""Operation limits: what one document may ask of the router, checked before validation.

Validation, normalisation and planning all walk the operation with its fragments inlined,
so a small document can cost a lot: fragments that spread the next one twice (a
"fragment bomb") double the work per level, and thousands of aliases each become a field
to plan, fetch and shape. :func:`check_limits` measures the document with every fragment
spread inlined, in time linear in the document (each fragment is measured once and its
numbers reused at every spread), and names the first limits it exceeds.

Names and codes follow Apollo Router's ``limits`` (``MAX_DEPTH_LIMIT``,
``MAX_ALIASES_LIMIT``, ``MAX_ROOT_FIELDS_LIMIT``, rejected with HTTP 400); the token limit
is graphql-core's ``parse(max_tokens=...)`` (Apollo's ``parser_max_tokens``, same
default), and ``max_recursive_selections`` is Apollo's count of selections with fragments
inlined, with a default sized for a Python router.

``max_document_bytes`` (UTF-8 bytes of the query text) is checked before anything reads
the text: graphql-core's lexer is pure Python (about 0.1 ms per kilobyte of string literal,
comment or whitespace, none of which are tokens), so without it a 2 MB body of one string
literal costs a quarter of a second to parse (``MAX_DOCUMENT_SIZE_LIMIT``).

``limits:`` in router.yaml (:class:`LimitsConfig`) sets them, the CLI flags override it;
``warn_only: true`` logs the depth, alias, root-field and selection limits instead of
refusing (to measure real traffic before enforcing); the document size and token limits and
the nesting guards always refuse, they protect the router itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LimitViolation",
    "LimitsConfig",
    "OperationLimits",
    "check_document_size",
    "check_limits",
]


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """Limits on one request's document (``None`` turns a limit off)."""

    max_tokens: int | None = 15_000
    # nesting of fields, the root field being 1; counted through fragments
    max_depth: int | None = 32
    # aliased fields, each fragment spread counting its fragment's aliases again
    max_aliases: int | None = 128
    # fields of the root selection set, through fragments
    max_root_fields: int | None = 64
    # every field, inline fragment and fragment spread, with each spread's fragment inlined
    max_recursive_selections: int | None = 10_000
    # UTF-8 bytes of the query text, checked before it is parsed
    max_document_bytes: int | None = 131_072
    # log violations of the depth, alias, root-field and selection limits instead of refusing
    warn_only: bool = False

    @classmethod
    def unlimited(cls) -> OperationLimits:
        return cls(None, None, None, None, None, None)


_DEFAULTS = OperationLimits()


class LimitsConfig(BaseModel):
    """``limits:`` in router.yaml; 0 or null turns a limit off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens: int | None = Field(default=_DEFAULTS.max_tokens, ge=0)
    max_depth: int | None = Field(default=_DEFAULTS.max_depth, ge=0)
    max_aliases: int | None = Field(default=_DEFAULTS.max_aliases, ge=0)
    max_root_fields: int | None = Field(default=_DEFAULTS.max_root_fields, ge=0)
    max_recursive_selections: int | None = Field(default=_DEFAULTS.max_recursive_selections, ge=0)
    max_document_bytes: int | None = Field(default=_DEFAULTS.max_document_bytes, ge=0)
    warn_only: bool = False


@dataclass(frozen=True, slots=True)
class LimitViolation:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class _Measure:
    selections: int = 0
    aliases: int = 0
    depth: int = 0
    top_fields: int = 0


_EMPTY = _Measure()


class _Measurer:
    """Measures selection sets with fragments inlined; each fragment is measured once.

    Runs before validation: an unknown fragment or a cycle measures as empty (validation
    reports both).
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._measured: dict[str, _Measure] = {}
        self._open: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> _Measure:
        selections = aliases = depth = top_fields = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                inner = self.selection_set(node.selection_set)
                selections += 1 + inner.selections
                aliases += (node.alias is not None) + inner.aliases
                depth = max(depth, 1 + inner.depth)
                top_fields += 1
                continue
            if isinstance(node, InlineFragmentNode):
                inner = self.selection_set(node.selection_set)
            else:
                assert isinstance(node, FragmentSpreadNode)
                inner = self.fragment(node.name.value)
            selections += 1 + inner.selections
            aliases += inner.aliases
            depth = max(depth, inner.depth)
            top_fields += inner.top_fields
        return _Measure(selections, aliases, depth, top_fields)

    def fragment(self, name: str) -> _Measure:
        measured = self._measured.get(name)
        if measured is not None:
            return measured
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return _EMPTY
        self._open.add(name)
        measured = self.selection_set(definition.selection_set)
        self._open.discard(name)
        self._measured[name] = measured
        return measured


def check_document_size(query: str, limits: OperationLimits) -> LimitViolation | None:
    """The size limit, before parsing (a character is at most 4 bytes: most texts are
    within the limit without being encoded)."""
    limit = limits.max_document_bytes
    if limit is None or len(query) * 4 <= limit:
        return None
    if len(query) <= limit and len(query.encode("utf-8", "replace")) <= limit:
        return None
    message = f"The query text is larger than the maximum document size ({limit} bytes)."
    return LimitViolation("MAX_DOCUMENT_SIZE_LIMIT", message)


def check_limits(document: DocumentNode, limits: OperationLimits) -> list[LimitViolation]:
    """The limits any operation of ``document`` exceeds (each limit named once)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measurer = _Measurer(fragments)
    worst = _EMPTY
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            measure = measurer.selection_set(definition.selection_set)
            worst = _Measure(
                max(worst.selections, measure.selections),
                max(worst.aliases, measure.aliases),
                max(worst.depth, measure.depth),
                max(worst.top_fields, measure.top_fields),
            )
    checks = (
        (limits.max_depth, worst.depth, "MAX_DEPTH_LIMIT", "depth"),
        (limits.max_aliases, worst.aliases, "MAX_ALIASES_LIMIT", "aliases"),
        (limits.max_root_fields, worst.top_fields, "MAX_ROOT_FIELDS_LIMIT", "root fields"),
        (
            limits.max_recursive_selections,
            worst.selections,
            "MAX_RECURSIVE_SELECTIONS_LIMIT",
            "recursive selections",
        ),
    )
    return [
        LimitViolation(code, f"Maximum {what} limit exceeded in this operation ({limit}).")
        for limit, value, code, what in checks
        if limit is not None and value > limit
    ]
