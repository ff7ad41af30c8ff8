"""The access requirements of a supergraph, read once per supergraph.

``@authenticated``, ``@requiresScopes(scopes: [[...]])`` and ``@policy(policies: [[...]])``
on object types, interfaces, scalars, enums and fields, found under the names the
supergraph's ``@link`` gives them (``as:`` or an import may rename a feature's directive;
Apollo Router once ignored renames, CVE-2025-64347). A feature the supergraph does not link
contributes nothing.

A :class:`Requirement` is one coordinate's conjunction of the three; its scope and policy
lists are in disjunctive normal form: the outer tuple is OR, each inner set AND.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from graphql import (
    ConstDirectiveNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    value_from_ast_untyped,
)

from router.composition.links import LinkError, parse_links

__all__ = ["AccessRequirements", "Grant", "Requirement"]

AUTHENTICATED_SPEC = "https://specs.apollo.dev/authenticated"
REQUIRES_SCOPES_SPEC = "https://specs.apollo.dev/requiresScopes"
POLICY_SPEC = "https://specs.apollo.dev/policy"

Alternatives = tuple[frozenset[str], ...]


class Grant(NamedTuple):
    """What a caller holds, as far as one operation's requirements are concerned: whether
    it is authenticated, its scopes among those the operation mentions, and the policies
    the policy hook granted. Part of the plan cache key, built per request: a tuple (cheap
    to build and hash)."""

    authenticated: bool = False
    scopes: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Requirement:
    authenticated: bool = False
    scopes: Alternatives | None = None  # None: no @requiresScopes
    policies: Alternatives | None = None  # None: no @policy

    def allows(self, grant: Grant) -> bool:
        if self.authenticated and not grant.authenticated:
            return False
        if self.scopes is not None and not any(s <= grant.scopes for s in self.scopes):
            return False
        return self.policies is None or any(p <= grant.policies for p in self.policies)

    def scope_names(self) -> frozenset[str]:
        return frozenset().union(*(self.scopes or ()))

    def policy_names(self) -> frozenset[str]:
        return frozenset().union(*(self.policies or ()))


PUBLIC = Requirement()


@dataclass(frozen=True, slots=True)
class AccessRequirements:
    """Every requirement of one supergraph, by type name and by (type, field)."""

    types: Mapping[str, Requirement]
    fields: Mapping[tuple[str, str], Requirement]
    # interface -> the object types implementing it (in the API schema)
    implementations: Mapping[str, frozenset[str]]

    def of_type(self, name: str) -> Requirement:
        return self.types.get(name, PUBLIC)

    def of_field(self, type_name: str, field_name: str) -> Requirement:
        return self.fields.get((type_name, field_name), PUBLIC)

    @property
    def empty(self) -> bool:
        return not self.types and not self.fields

    @classmethod
    def from_supergraph(
        cls, schema: GraphQLSchema, possible_types: Mapping[str, frozenset[str]]
    ) -> AccessRequirements:
        """``schema``: the supergraph built from its SDL (directives kept on the AST)."""
        names = _directive_names(schema)
        types: dict[str, Requirement] = {}
        fields: dict[tuple[str, str], Requirement] = {}
        for name, named in schema.type_map.items():
            if name.startswith("__") or named.ast_node is None:
                continue
            requirement = _requirement(_directives_of(named), names)
            if requirement != PUBLIC:
                types[name] = requirement
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                for field_name, field in named.fields.items():
                    node = field.ast_node
                    field_requirement = _requirement((node.directives or ()) if node else (), names)
                    if field_requirement != PUBLIC:
                        fields[(name, field_name)] = field_requirement
        implementations = {
            name: members
            for name, members in possible_types.items()
            if isinstance(schema.type_map.get(name), GraphQLInterfaceType)
        }
        return cls(types, fields, implementations)


def _directives_of(named: GraphQLNamedType) -> list[ConstDirectiveNode]:
    nodes = [named.ast_node, *named.extension_ast_nodes]
    if not isinstance(
        named, GraphQLObjectType | GraphQLInterfaceType | GraphQLScalarType | GraphQLEnumType
    ):
        return []
    return [d for node in nodes if node is not None for d in node.directives or ()]


def _directive_names(schema: GraphQLSchema) -> dict[str, str]:
    """Schema directive name -> ``authenticated`` | ``requiresScopes`` | ``policy``."""
    nodes = [schema.ast_node, *schema.extension_ast_nodes]
    directives = [d for node in nodes if node is not None for d in node.directives or ()]
    try:
        links = parse_links(directives)
    except LinkError:
        links = []
    found: dict[str, str] = {}
    for link in links:
        for spec, feature in (
            (AUTHENTICATED_SPEC, "authenticated"),
            (REQUIRES_SCOPES_SPEC, "requiresScopes"),
            (POLICY_SPEC, "policy"),
        ):
            if link.identity == spec:
                found[link.directive_name(feature)] = feature
    return found


def _alternatives(directive: ConstDirectiveNode, argument: str) -> Alternatives | None:
    for arg in directive.arguments or ():
        if arg.name.value == argument:
            value = value_from_ast_untyped(arg.value)
            if isinstance(value, str):  # a lone string is a one-element list, twice
                value = [[value]]
            outer = value if isinstance(value, list) else []
            sets = tuple(
                frozenset(str(s) for s in (inner if isinstance(inner, list) else [inner]))
                for inner in outer
            )
            return sets or None  # an empty list requires nothing (as Apollo Router)
    return None


def _requirement(directives: Iterable[ConstDirectiveNode], names: Mapping[str, str]) -> Requirement:
    authenticated = False
    scopes: Alternatives | None = None
    policies: Alternatives | None = None
    for directive in directives:
        feature = names.get(directive.name.value)
        if feature == "authenticated":
            authenticated = True
        elif feature == "requiresScopes":
            scopes = _and(scopes, _alternatives(directive, "scopes"))
        elif feature == "policy":
            policies = _and(policies, _alternatives(directive, "policies"))
    return Requirement(authenticated, scopes, policies)


def _and(left: Alternatives | None, right: Alternatives | None) -> Alternatives | None:
    """Two requirements on one coordinate both apply (a repeated directive)."""
    if left is None or right is None:
        return left if right is None else right
    return tuple(dict.fromkeys(a | b for a in left for b in right))
