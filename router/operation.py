"""Client operations: validate against the API schema, pick one, coerce variables, normalise.

Normalising inlines named fragments, applies ``@skip``/``@include`` with the coerced variables,
splices fragments whose type condition is the parent type, and merges sibling fields sharing
a response key. Aliases and arguments (variables included) are kept as written, so the
planner can forward them to subgraphs. The result depends on the ``@skip``/``@include``
variable values only, which is why :func:`condition_key` is part of the plan cache key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableDefinitionNode,
    VariableNode,
    coerce_input_value,
    get_named_type,
    is_input_type,
    is_leaf_type,
    parse,
    print_ast,
    type_from_ast,
    validate,
    value_from_ast,
)
from graphql.pyutils import Undefined, inspect
from graphql.utilities import validate_input_value

from router.graphql_js import VALIDATION_RULES, js_inspect, js_quotes, truncate_words
from router.limits import LimitViolation, OperationLimits, check_document_size, check_limits
from router.request import OperationKind, RequestError, RequestErrorKind
from router.token_count import count_tokens

__all__ = [
    "Field",
    "Fragment",
    "NormalizedOperation",
    "Selection",
    "coerce_variables",
    "collect_fields",
    "condition_key",
    "condition_variables",
    "limit_error",
    "merge_selections",
    "normalize",
    "normalize_field_set",
    "parse_and_validate",
    "select_operation",
]

_log = logging.getLogger(__name__)
_NO_LIMITS = OperationLimits.unlimited()
_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_TYPENAME_TYPE = GraphQLNonNull(GraphQLString)
_INTROSPECTION_TYPES: dict[str, GraphQLOutputType] = {
    "__schema": SchemaMetaFieldDef.type,
    "__type": TypeMetaFieldDef.type,
}


@dataclass(frozen=True, slots=True)
class Field:
    response_key: str
    name: str
    arguments: tuple[ArgumentNode, ...]
    type: GraphQLOutputType
    type_name: str
    # the response path segments this field adds: its key, then "@" per list level
    path_suffix: tuple[str, ...]
    selections: tuple[Selection, ...]
    node: FieldNode

    @property
    def is_leaf(self) -> bool:
        """A scalar or enum field. A composite field can have no selections left when
        ``@skip``/``@include`` removed them all: it is still an object (``{}``)."""
        return is_leaf_type(get_named_type(self.type))


@dataclass(frozen=True, slots=True)
class Fragment:
    """A fragment whose type condition narrows its parent type."""

    type_condition: str
    selections: tuple[Selection, ...]


Selection = Field | Fragment


@dataclass(frozen=True, slots=True)
class NormalizedOperation:
    kind: OperationKind
    name: str | None
    root_type: str
    selections: tuple[Selection, ...]
    variable_definitions: Mapping[str, str]
    # a query document for the introspection root fields, answered by the router itself
    introspection: DocumentNode | None


def _error(
    kind: RequestErrorKind, errors: list[GraphQLError], code: str | None = None
) -> RequestError:
    """Messages echo names and values from the request: each long word is shortened."""
    formatted = []
    for error in errors:
        body: dict[str, Any] = dict(error.formatted)
        body["message"] = truncate_words(error.message)
        body["extensions"] = {**(error.extensions or {}), "code": code or kind.value}
        formatted.append(body)
    return RequestError(kind, tuple(formatted))


def limit_error(violation: LimitViolation) -> RequestError:
    body = {"message": violation.message, "extensions": {"code": violation.code}}
    return RequestError(RequestErrorKind.LIMIT, (body,))


def parse_and_validate(
    schema: GraphQLSchema, query: str, limits: OperationLimits | None = None
) -> DocumentNode | RequestError:
    """Parse, check the :class:`OperationLimits`, validate (``None``: no limits)."""
    limits = limits or _NO_LIMITS
    oversized = check_document_size(query, limits)
    if oversized is not None:
        return limit_error(oversized)
    if limits.max_tokens is not None and count_tokens(query) > limits.max_tokens:
        limit = limits.max_tokens
        message = f"Syntax Error: Document contains more than {limit} tokens. Parsing aborted."
        return _error(RequestErrorKind.LIMIT, [GraphQLError(message)], "MAX_TOKENS_LIMIT")
    try:
        document = parse(query, allow_empty_selection_sets=False, max_tokens=limits.max_tokens)
    except GraphQLError as syntax_error:
        syntax_error.message = js_quotes(syntax_error.message)
        if "tokens. Parsing aborted." in syntax_error.message:
            return _error(RequestErrorKind.LIMIT, [syntax_error], "MAX_TOKENS_LIMIT")
        if "nested too deeply. Parsing aborted." in syntax_error.message:  # graphql-core's guard
            return _error(RequestErrorKind.LIMIT, [syntax_error], "MAX_DEPTH_LIMIT")
        return _error(RequestErrorKind.PARSE, [syntax_error])
    except RecursionError:
        message = "Syntax Error: the document nests too deeply."
        return _error(RequestErrorKind.LIMIT, [GraphQLError(message)], "MAX_DEPTH_LIMIT")
    try:
        violations = check_limits(document, limits)
    except RecursionError:  # fragments spreading fragments some hundreds deep
        message = "The document's fragments nest too deeply."
        return _error(RequestErrorKind.LIMIT, [GraphQLError(message)], "MAX_DEPTH_LIMIT")
    if violations and limits.warn_only:
        _log.warning(
            "operation over limits (warn_only): %s; %.200r",
            ", ".join(v.code for v in violations),
            query,
        )
    elif violations:
        return RequestError(
            RequestErrorKind.LIMIT,
            tuple({"message": v.message, "extensions": {"code": v.code}} for v in violations),
        )
    errors = validate(schema, document, VALIDATION_RULES)
    if errors:
        for error in errors:
            error.message = js_quotes(error.message)
        return _error(RequestErrorKind.VALIDATION, errors)
    return document


def select_operation(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | RequestError:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    selected: OperationDefinitionNode | None = None
    if operation_name is None:
        if len(operations) == 1:
            selected = operations[0]
        else:
            message = "Must provide operation name if query contains multiple operations."
    else:
        selected = next(
            (o for o in operations if o.name is not None and o.name.value == operation_name),
            None,
        )
        message = f'Unknown operation named "{operation_name}".'
    if selected is not None:
        if schema.get_root_type(selected.operation) is not None:
            return selected
        message = f'The schema has no "{selected.operation.value}" root type defined'
    return _error(RequestErrorKind.OPERATION_NOT_FOUND, [GraphQLError(message)])


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Mapping[str, Any] | None
) -> dict[str, Any] | RequestError:
    """Coerce variables like graphql-js does, with its error messages."""
    inputs = raw or {}
    coerced: dict[str, Any] = {}
    errors: list[GraphQLError] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        var_type = type_from_ast(schema, definition.type)
        assert is_input_type(var_type)  # validation checked it
        if name not in inputs:
            if definition.default_value is not None:
                coerced[name] = value_from_ast(definition.default_value, var_type)
            elif isinstance(var_type, GraphQLNonNull):
                message = f'Variable "${name}" of required type "{var_type}" was not provided.'
                errors.append(GraphQLError(message, definition))
            continue
        value = inputs[name]
        if value is None and isinstance(var_type, GraphQLNonNull):
            message = f'Variable "${name}" of non-null type "{var_type}" must not be null.'
            errors.append(GraphQLError(message, definition))
            continue
        result = coerce_input_value(value, var_type)
        if result is Undefined:
            validate_input_value(
                value, var_type, _on_coercion_error(name, value, definition, errors)
            )
        else:
            coerced[name] = result
    if errors:
        return _error(RequestErrorKind.BAD_VARIABLES, errors)
    return coerced


def _on_coercion_error(
    name: str, value: Any, definition: VariableDefinitionNode, errors: list[GraphQLError]
) -> Callable[[GraphQLError, list[str | int]], None]:
    def on_error(error: GraphQLError, path: list[str | int]) -> None:
        invalid = value
        for step in path:
            invalid = invalid[step]
        prefix = f'Variable "${name}" got invalid value {js_inspect(invalid)}'
        if path:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
            prefix += f' at "{name}{where}"'
        parts = error.message.split(inspect(invalid))
        inner = js_inspect(invalid).join(js_quotes(part) for part in parts)
        errors.append(GraphQLError(f"{prefix}; {inner}", definition))

    return on_error


def condition_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables used by ``@skip``/``@include`` anywhere in the document."""
    names: dict[str, None] = {}

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            for directive in selection.directives or ():
                if directive.name.value in ("skip", "include"):
                    for argument in directive.arguments or ():
                        if isinstance(argument.value, VariableNode):
                            names[argument.value.name.value] = None
            walk(getattr(selection, "selection_set", None))

    for definition in document.definitions:
        walk(getattr(definition, "selection_set", None))
    return tuple(names)


def condition_key(names: tuple[str, ...], variables: Mapping[str, Any]) -> tuple[bool, ...]:
    return tuple(bool(variables.get(name)) for name in names)


def _included(node: Any, variables: Mapping[str, Any]) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = directive.arguments[0].value
        if isinstance(value, VariableNode):
            flag = bool(variables.get(value.name.value))
        else:
            flag = isinstance(value, BooleanValueNode) and value.value
        if flag == (name == "skip"):
            return False
    return True


def _path_suffix(key: str, output_type: GraphQLOutputType) -> tuple[str, ...]:
    suffix = [key]
    inner: Any = output_type
    while isinstance(inner, GraphQLNonNull | GraphQLList):
        if isinstance(inner, GraphQLList):
            suffix.append("@")
        inner = inner.of_type
    return tuple(suffix)


class _Normalizer:
    """Each fragment spread is normalised once per parent type and reused (merged), so the
    work is linear in the document even when fragments spread others many times."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self._spreads: dict[tuple[str, str], list[Selection]] = {}
        # selection nodes visited: a test reads it to show the work is linear
        self.work = 0

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLCompositeType
    ) -> tuple[Selection, ...]:
        out: list[Selection] = []
        self._collect(selection_set, parent, out)
        return tuple(merge_selections(out))

    def _collect(
        self, selection_set: SelectionSetNode, parent: GraphQLCompositeType, out: list[Selection]
    ) -> None:
        for node in selection_set.selections:
            self.work += 1
            if not _included(node, self.variables):
                continue
            if isinstance(node, FieldNode):
                out.append(self._field(node, parent))
            elif isinstance(node, FragmentSpreadNode):
                out.extend(self._spread(node.name.value, parent))
            else:
                assert isinstance(node, InlineFragmentNode)
                condition = node.type_condition.name.value if node.type_condition else None
                self._fragment(condition, node.selection_set, parent, out)

    def _spread(self, name: str, parent: GraphQLCompositeType) -> list[Selection]:
        key = (name, parent.name)
        selections = self._spreads.get(key)
        if selections is None:
            fragment = self.fragments[name]
            collected: list[Selection] = []
            condition = fragment.type_condition.name.value
            self._fragment(condition, fragment.selection_set, parent, collected)
            selections = self._spreads[key] = merge_selections(collected)
        return selections

    def _fragment(
        self,
        condition: str | None,
        inner_set: SelectionSetNode,
        parent: GraphQLCompositeType,
        out: list[Selection],
    ) -> None:
        if condition is None or condition == parent.name:
            self._collect(inner_set, parent, out)
            return
        narrowed = self.schema.get_type(condition)
        assert isinstance(narrowed, GraphQLCompositeType)
        out.append(Fragment(condition, self.selections(inner_set, narrowed)))

    def _field(self, node: FieldNode, parent: GraphQLCompositeType) -> Field:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename":
            output_type: GraphQLOutputType = _TYPENAME_TYPE
        elif name in _INTROSPECTION_FIELDS:
            output_type = _INTROSPECTION_TYPES[name]
        else:
            output_type = parent.fields[name].type  # type: ignore[union-attr]
        named = get_named_type(output_type)
        sub: tuple[Selection, ...] = ()
        if node.selection_set is not None and name not in _INTROSPECTION_FIELDS:
            assert isinstance(named, GraphQLCompositeType)
            sub = self.selections(node.selection_set, named)
        return Field(
            response_key=key,
            name=name,
            arguments=tuple(node.arguments or ()),
            type=output_type,
            type_name=named.name,
            path_suffix=_path_suffix(key, output_type),
            selections=sub,
            node=node,
        )


def collect_fields(
    selections: Iterable[Selection],
    type_name: str,
    possible_types: Mapping[str, frozenset[str]],
) -> list[Field]:
    """The fields selected on an object of type ``type_name`` (through the fragments whose
    condition is that type or an abstract type it belongs to), merged by response key."""
    out: list[Selection] = []
    for selection in selections:
        if isinstance(selection, Field):
            out.append(selection)
        elif selection.type_condition == type_name or type_name in possible_types.get(
            selection.type_condition, ()
        ):
            out.extend(collect_fields(selection.selections, type_name, possible_types))
    return merge_selections(out)  # type: ignore[return-value]


def merge_selections(selections: list[Selection]) -> list[Selection]:
    """Merge sibling fields with the same response key (first position wins) and drop
    repeats of one fragment (the same object: a memoised fragment spread)."""
    by_key: dict[str, int] = {}
    fragments: set[int] = set()
    merged: list[Selection] = []
    for selection in selections:
        if not isinstance(selection, Field):
            if id(selection) not in fragments:
                fragments.add(id(selection))
                merged.append(selection)
            continue
        index = by_key.get(selection.response_key)
        if index is None:
            by_key[selection.response_key] = len(merged)
            merged.append(selection)
            continue
        first = merged[index]
        assert isinstance(first, Field)
        if selection.selections and selection is not first:
            combined = merge_selections([*first.selections, *selection.selections])
            merged[index] = _replace_selections(first, tuple(combined))
    return merged


def _replace_selections(field: Field, selections: tuple[Selection, ...]) -> Field:
    return Field(
        field.response_key,
        field.name,
        field.arguments,
        field.type,
        field.type_name,
        field.path_suffix,
        selections,
        field.node,
    )


_KINDS = {
    OperationType.QUERY: OperationKind.QUERY,
    OperationType.MUTATION: OperationKind.MUTATION,
    OperationType.SUBSCRIPTION: OperationKind.SUBSCRIPTION,
}


def normalize(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> NormalizedOperation:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    assert isinstance(root, GraphQLObjectType)
    selections = _Normalizer(schema, fragments, variables).selections(operation.selection_set, root)
    definitions = {
        d.variable.name.value: print_ast(d) for d in operation.variable_definitions or ()
    }
    return NormalizedOperation(
        kind=_KINDS[operation.operation],
        name=operation.name.value if operation.name else None,
        root_type=root.name,
        selections=selections,
        variable_definitions=definitions,
        introspection=_introspection_document(document, operation, selections),
    )


def _introspection_document(
    document: DocumentNode, operation: OperationDefinitionNode, selections: tuple[Selection, ...]
) -> DocumentNode | None:
    nodes = [s.node for s in selections if isinstance(s, Field) and s.name in _INTROSPECTION_FIELDS]
    if not nodes:
        return None
    query = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=operation.variable_definitions,
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(nodes)),
    )
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    return DocumentNode(definitions=(query, *fragments))


def normalize_field_set(
    schema: GraphQLSchema, type_name: str, fields: str
) -> tuple[Selection, ...]:
    """Normalise a federation field set (``"id organization { id }"``) on ``type_name``."""
    document = parse("{" + fields + "}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    parent = schema.get_type(type_name)
    assert isinstance(parent, GraphQLCompositeType)
    return _Normalizer(schema, {}, {}).selections(operation.selection_set, parent)
