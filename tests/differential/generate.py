"""Random valid GraphQL queries over an API schema, one seeded ``random.Random`` per query.

The generator walks the schema from ``Query`` and writes the text directly: nested object
fields up to a depth bound, leaf fields, ``__typename``, arguments (values only from the
fixture graph's :data:`ArgumentTable`, so that they exist; optional arguments are sometimes
left out), literal or variable arguments, aliases (some shadowing another field's name, as
in ``upc: name``), fields selected twice (merged), inline fragments on abstract and concrete
types, named fragments (some spread twice), and ``@skip``/``@include`` with literal or
variable conditions.

Validity by construction: every selection set shares one *scope* with the fragments spread
into it (the response keys that land in the same response object). A response key is only
used again for the same field with the same arguments and the same type, so the
overlapping-fields rule always holds; the child selections of a key reused that way share
its child scope. :func:`generate` still runs graphql-core's ``validate`` on each query and
raises if it fails.

Query ``index`` of a graph always comes from ``Random(f"{seed}-{index}")``, so the first
500 queries are the same whatever the count asked for.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    ast_from_value,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
    is_required_argument,
    parse,
    print_ast,
    type_from_ast,
    validate,
)
from graphql.language import parse_type

__all__ = [
    "OMIT",
    "ArgumentTable",
    "GeneratedQuery",
    "GeneratorOptions",
    "generate",
    "generate_many",
]

ArgumentTable = Mapping[str, Mapping[str, Sequence[Any]]]
"""``"Type.field"`` -> argument name -> values known to be valid (ids that exist...).

A required argument with no entry makes the generator leave that field out; an optional one
with no entry is always left out, and one whose values hold :data:`OMIT` is left out when
that value is drawn (so list fields whose default page is large can insist on a small one).
"""

OMIT: Any = type("Omit", (), {"__repr__": lambda self: "OMIT"})()


@dataclass(frozen=True, slots=True)
class GeneratedQuery:
    index: int
    text: str
    variables: dict[str, Any]
    operation_name: str | None

    def request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.text}
        if self.variables:
            body["variables"] = self.variables
        if self.operation_name:
            body["operationName"] = self.operation_name
        return body


@dataclass(frozen=True, slots=True)
class GeneratorOptions:
    max_depth: int = 4
    max_fields: int = 4
    alias: float = 0.2
    shadowing_alias: float = 0.4
    """Of the aliases, how many take the name of another field of the same type."""
    directive: float = 0.1
    variable_argument: float = 0.3
    budget: tuple[int, int] = (3, 16)
    """How many selections a query holds (drawn between the bounds): keeps answers small."""
    fragment_nesting: int = 2
    inline_fragment: float = 0.15
    named_fragment: float = 0.1
    typename: float = 0.08
    repeat_key: float = 0.1
    """How often a selection reuses an existing response key (a merged field)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a response key stands for: a field with its arguments and type."""

    name: str
    arguments: str
    type: str
    child: _Scope | None

    @property
    def signature(self) -> str:
        return f"{self.name}{self.arguments}:{self.type}"


@dataclass(slots=True)
class _Scope:
    """The response keys of one response object, and those selected since ``touched`` was
    last emptied (the keys a named fragment selects)."""

    keys: dict[str, _Entry] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def put(self, key: str, entry: _Entry) -> None:
        self.keys[key] = entry
        self.touched.add(key)


_TYPENAME = _Entry("__typename", "", "String!", None)


@dataclass(slots=True)
class _Fragment:
    name: str
    type_name: str
    keys: dict[str, _Entry]


@dataclass(slots=True)
class _Builder:
    schema: GraphQLSchema
    arguments: ArgumentTable
    options: GeneratorOptions
    rng: random.Random
    variables: dict[str, tuple[str, Any, bool]] = field(default_factory=dict)
    """name -> (type, value, whether the value is the declared default)."""
    fragments: list[tuple[_Fragment, str]] = field(default_factory=list)
    budget: int = 0
    nesting: int = 0

    # ---------------------------------------------------------------- selection sets

    def selection_set(self, parent: GraphQLNamedType, scope: _Scope, depth: int) -> str:
        count = self.rng.randint(1, self.options.max_fields)
        items: list[str] = []
        for _ in range(count):
            if self.budget <= 0 and items:
                break
            self.budget -= 1
            items.append(self.selection(parent, scope, depth))
        chosen = [item for item in items if item]
        if not chosen:
            chosen = [self.typename(scope)]
        return "{ " + " ".join(chosen) + " }"

    def selection(self, parent: GraphQLNamedType, scope: _Scope, depth: int) -> str:
        roll = self.rng.random()
        if roll < self.options.typename or isinstance(parent, GraphQLUnionType):
            if isinstance(parent, GraphQLUnionType) and self.rng.random() < 0.8:
                return self.fragment(parent, scope, depth)
            return self.typename(scope)
        roll -= self.options.typename
        fragments = self.options.inline_fragment + self.options.named_fragment
        if roll < fragments and self.nesting < self.options.fragment_nesting:
            return self.fragment(parent, scope, depth)
        return self.field(parent, scope, depth)

    def typename(self, scope: _Scope) -> str:
        if self.rng.random() < self.options.alias:
            key = self.fresh_key(scope, "t")
            scope.put(key, _TYPENAME)
            return f"{key}: __typename"
        existing = scope.keys.get("__typename")
        if existing is not None and existing != _TYPENAME:
            return ""
        scope.put("__typename", _TYPENAME)
        return "__typename" + self.directives()

    # ---------------------------------------------------------------- fields

    def field(self, parent: GraphQLNamedType, scope: _Scope, depth: int) -> str:
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        candidates = [
            (name, definition)
            for name, definition in parent.fields.items()
            if self.can_select(parent.name, name, definition, depth)
        ]
        if not candidates:
            return self.typename(scope)
        repeats = [(k, e) for k, e in scope.keys.items() if e.name != "__typename"]
        if repeats and self.rng.random() < self.options.repeat_key:
            text = self.repeat(parent, scope, depth, *self.rng.choice(repeats))
            if text:
                return text
        name, definition = self.rng.choice(candidates)
        arguments = self.argument_text(parent.name, name, definition)
        entry = _Entry(name, arguments, str(definition.type), None)
        key = self.key_for(parent, name, scope, entry)
        return self.emit(key, entry, scope, depth)

    def can_select(self, type_name: str, name: str, definition: GraphQLField, depth: int) -> bool:
        named = get_named_type(definition.type)
        if not is_leaf_type(named) and depth >= self.options.max_depth:
            return False
        table = self.arguments.get(f"{type_name}.{name}", {})
        return all(
            argument_name in table
            for argument_name, argument in definition.args.items()
            if is_required_argument(argument)
        )

    def repeat(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        scope: _Scope,
        depth: int,
        key: str,
        entry: _Entry,
    ) -> str:
        """Select ``key`` again (same field, arguments and type) when this type has it."""
        definition = parent.fields.get(entry.name)
        if definition is None or str(definition.type) != entry.type:
            return ""
        if entry.child is not None and depth >= self.options.max_depth:
            return ""
        return self.emit(key, entry, scope, depth)

    def emit(self, key: str, entry: _Entry, scope: _Scope, depth: int) -> str:
        """Select ``entry`` under ``key``; an object field's selections share the key's
        child scope with its other selections."""
        prefix = entry.name if key == entry.name else f"{key}: {entry.name}"
        existing = scope.keys.get(key)
        named = get_named_type(self.schema_type(entry))
        if is_leaf_type(named):
            scope.put(key, entry)
            return f"{prefix}{entry.arguments}{self.directives()}"
        child = existing.child if existing is not None and existing.child else _Scope()
        scope.put(key, _Entry(entry.name, entry.arguments, entry.type, child))
        selections = self.selection_set(named, child, depth + 1)
        return f"{prefix}{entry.arguments}{self.directives()} {selections}"

    def schema_type(self, entry: _Entry) -> GraphQLOutputType:
        found = type_from_ast(self.schema, parse_type(entry.type))
        assert found is not None
        return found  # type: ignore[return-value]

    def key_for(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        name: str,
        scope: _Scope,
        entry: _Entry,
    ) -> str:
        key = name
        if self.rng.random() < self.options.alias:
            others = [other for other in parent.fields if other != name]
            if others and self.rng.random() < self.options.shadowing_alias:
                key = self.rng.choice(others)
            else:
                key = self.fresh_key(scope, name[:1])
        existing = scope.keys.get(key)
        if existing is not None and existing.signature != entry.signature:
            key = self.fresh_key(scope, name[:1])
        return key

    def fresh_key(self, scope: _Scope, stem: str) -> str:
        number = 1
        while f"{stem}{number}" in scope.keys:
            number += 1
        return f"{stem}{number}"

    # ---------------------------------------------------------------- arguments

    def argument_text(self, type_name: str, name: str, definition: GraphQLField) -> str:
        table = self.arguments.get(f"{type_name}.{name}", {})
        parts = []
        for argument_name, argument in definition.args.items():
            values = table.get(argument_name)
            if not values:
                continue
            value = self.rng.choice(list(values))
            if value is OMIT:
                continue
            parts.append(f"{argument_name}: {self.value_text(argument, value)}")
        return "(" + ", ".join(parts) + ")" if parts else ""

    def value_text(self, argument: GraphQLArgument, value: Any) -> str:
        if self.rng.random() < self.options.variable_argument:
            return self.variable(str(argument.type), value)
        node = ast_from_value(value, argument.type)
        assert node is not None, f"{value!r} is not a {argument.type}"
        return print_ast(node)

    def variable(self, type_text: str, value: Any) -> str:
        name = f"v{len(self.variables) + 1}"
        as_default = value is not None and self.rng.random() < 0.25
        self.variables[name] = (type_text, value, as_default)
        return f"${name}"

    # ---------------------------------------------------------------- directives

    def directives(self) -> str:
        if self.rng.random() >= self.options.directive:
            return ""
        directive = self.rng.choice(("skip", "include"))
        condition = self.rng.random() < 0.5
        if self.rng.random() < 0.5:
            return f" @{directive}(if: {self.variable('Boolean!', condition)})"
        return f" @{directive}(if: {'true' if condition else 'false'})"

    # ---------------------------------------------------------------- fragments

    def fragment(self, parent: GraphQLNamedType, scope: _Scope, depth: int) -> str:
        conditions = self.type_conditions(parent)
        type_name = self.rng.choice(conditions)
        target = self.schema.type_map[type_name] if type_name else parent
        self.nesting += 1
        try:
            if self.rng.random() < self.options.named_fragment / (
                self.options.named_fragment + self.options.inline_fragment
            ):
                return self.named_fragment(target, scope, depth)
            condition = f" on {type_name}" if type_name else ""
            selections = self.selection_set(target, scope, depth)
            return f"...{condition}{self.directives()} {selections}"
        finally:
            self.nesting -= 1

    def type_conditions(self, parent: GraphQLNamedType) -> list[str]:
        """Type conditions that apply to ``parent`` ("" is no condition)."""
        if is_abstract_type(parent):
            assert isinstance(parent, GraphQLInterfaceType | GraphQLUnionType)
            possible = [t.name for t in self.schema.get_possible_types(parent)]
            shared = {
                interface.name
                for name in possible
                for interface in self.object(name).interfaces
                if interface.name in self.schema.type_map
            }
            extra = [parent.name] if isinstance(parent, GraphQLInterfaceType) else []
            return sorted(possible) + sorted(shared - {parent.name}) + extra + [""]
        assert is_object_type(parent)
        interfaces = [interface.name for interface in self.object(parent.name).interfaces]
        return [parent.name, *interfaces, ""]

    def object(self, name: str) -> GraphQLObjectType:
        found = self.schema.type_map[name]
        assert isinstance(found, GraphQLObjectType)
        return found

    def named_fragment(self, target: GraphQLNamedType, scope: _Scope, depth: int) -> str:
        for fragment, _ in self.fragments:
            reusable = fragment.type_name == target.name and self.fits(fragment, scope)
            if reusable and self.rng.random() < 0.5:
                for key, entry in fragment.keys.items():
                    scope.put(key, entry)
                return f"...{fragment.name}{self.directives()}"
        inner = _Scope(dict(scope.keys))
        selections = self.selection_set(target, inner, depth)
        selected = {key: inner.keys[key] for key in inner.touched}
        for key, entry in selected.items():
            scope.put(key, entry)
        fragment = _Fragment(f"F{len(self.fragments) + 1}", target.name, selected)
        self.fragments.append((fragment, f"fragment {fragment.name} on {target.name} {selections}"))
        return f"...{fragment.name}{self.directives()}"

    def fits(self, fragment: _Fragment, scope: _Scope) -> bool:
        """Whether spreading ``fragment`` again here keeps every response key unambiguous:
        its leaf keys are free or the same field, its object keys are free."""
        for key, entry in fragment.keys.items():
            existing = scope.keys.get(key)
            if existing is not None and (entry.child is not None or existing != entry):
                return False
        return True


def _build_one(
    schema: GraphQLSchema,
    arguments: ArgumentTable,
    options: GeneratorOptions,
    seed: str,
    index: int,
) -> GeneratedQuery:
    rng = random.Random(f"{seed}-{index}")
    builder = _Builder(schema, arguments, options, rng, budget=rng.randint(*options.budget))
    query_type = schema.query_type
    assert query_type is not None
    selections = builder.selection_set(query_type, _Scope(), 1)
    declarations = []
    variables: dict[str, Any] = {}
    for name, (type_text, value, as_default) in builder.variables.items():
        if as_default:
            default = ast_from_value(value, _input_type(schema, type_text))
            assert default is not None
            declarations.append(f"${name}: {type_text} = {print_ast(default)}")
        else:
            declarations.append(f"${name}: {type_text}")
            variables[name] = value
    operation_name = f"Q{index}" if declarations or rng.random() < 0.2 else None
    header = f"query {operation_name}" if operation_name else ""
    if declarations:
        header += "(" + ", ".join(declarations) + ")"
    text = "\n".join([f"{header} {selections}".strip(), *(f for _, f in builder.fragments)])
    return GeneratedQuery(index, text, variables, operation_name)


def _input_type(schema: GraphQLSchema, type_text: str) -> GraphQLInputType:
    found = type_from_ast(schema, parse_type(type_text))
    assert found is not None
    return found  # type: ignore[return-value]


def generate(
    schema: GraphQLSchema,
    arguments: ArgumentTable,
    seed: str,
    index: int,
    options: GeneratorOptions | None = None,
) -> GeneratedQuery:
    """Query number ``index`` for ``seed``; raises AssertionError if it is not valid."""
    query = _build_one(schema, arguments, options or GeneratorOptions(), seed, index)
    errors = validate(schema, parse(query.text))
    assert not errors, f"generated an invalid query:\n{query.text}\n{errors}"
    return query


def generate_many(
    schema: GraphQLSchema,
    arguments: ArgumentTable,
    seed: str,
    count: int,
    options: GeneratorOptions | None = None,
) -> list[GeneratedQuery]:
    return [generate(schema, arguments, seed, index, options) for index in range(count)]
