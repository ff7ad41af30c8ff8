"""Stage 2, pre-merge validations: each subgraph on its own uses federation correctly.

``@key``/``@requires``/``@provides`` field sets must parse and select existing fields (no
arguments, no directives, keys not through interfaces/unions), ``@requires``/``@provides``
leaves must be ``@external``, every ``@external`` must be used, interface keys need
Federation 2.3 and must be repeated on every implementation.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
)

from .errors import CompositionError, error
from .expand import Subgraph
from .fieldset import FieldSetError, SelectedField, resolve_field_set
from .metadata import (
    Metadata,
    argument_value,
    composite_types,
    field_directives,
    type_directives,
)
from .validate_auth import validate_auth
from .validate_context import validate_context
from .validate_cost import validate_cost
from .validate_shareable import validate_shareable

__all__ = ["validate_subgraph"]

_INVALID_FIELD_HINTS = {
    "key": "(the field should either be added to this subgraph or, if it should not be resolved"
    " by this subgraph, you need to add it to this subgraph with @external).",
    "requires": "(if the field is defined in another subgraph, you need to add it to this"
    " subgraph with @external).",
    "provides": "(if the field is defined in another subgraph, you need to add it to this"
    " subgraph with @external).",
}


class _Check:
    def __init__(self, subgraph: Subgraph, meta: Metadata) -> None:
        self.subgraph = subgraph
        self.meta = meta
        self.errors: list[CompositionError] = []

    def fail(self, code: str, message: str, coordinate: str) -> None:
        self.errors.append(
            error(code, f"[{self.subgraph.name}] {message}", [self.subgraph.name], [coordinate])
        )

    def selections(
        self, parent: GraphQLNamedType, fields: str, directive: str, where: str, coordinate: str
    ) -> list[SelectedField] | None:
        try:
            return resolve_field_set(self.subgraph.schema, parent, fields)
        except FieldSetError as problem:
            self.fail(
                f"{directive.upper()}_INVALID_FIELDS",
                f"{where}: {str(problem).rstrip('.')} {_INVALID_FIELD_HINTS[directive]}",
                coordinate,
            )
            return None

    def common(
        self, selected: list[SelectedField], directive: str, where: str, coordinate: str
    ) -> None:
        for sel in selected:
            if sel.directives:
                self.fail(
                    f"{directive.upper()}_DIRECTIVE_IN_FIELDS_ARG",
                    f"{where}: cannot have directive applications in the"
                    f" @{directive}(fields:) argument but found {', '.join(sel.directives)}.",
                    coordinate,
                )
            if sel.field.args and directive != "requires":
                self.fail(
                    f"{directive.upper()}_FIELDS_HAS_ARGS",
                    f"{where}: field {sel.coordinate} cannot be included"
                    f" because it has arguments (fields with argument are not allowed in"
                    f" @{directive})",
                    coordinate,
                )

    def must_be_external(
        self, selected: list[SelectedField], directive: str, where: str, coordinate: str
    ) -> None:
        for sel in selected:
            external_parent = any(self.meta.is_external(a) for a in sel.ancestors)
            if sel.has_selection or external_parent or self.meta.is_external(sel.coordinate):
                continue
            self.fail(
                f"{directive.upper()}_FIELDS_MISSING_EXTERNAL",
                f'{where}: field "{sel.coordinate}" should not be part of a'
                f" @{directive} since it is already provided by this subgraph (it is not"
                " marked @external)",
                coordinate,
            )


def _fields(named: GraphQLObjectType | GraphQLInterfaceType) -> Iterator[tuple[str, GraphQLField]]:
    for name, field in named.fields.items():
        yield f"{named.name}.{name}", field


def _check_keys(check: _Check) -> None:
    schema = check.subgraph.schema
    for type_name, keys in check.subgraph.keys.items():
        named = schema.get_type(type_name)
        assert named is not None
        if isinstance(named, GraphQLInterfaceType):
            version = check.subgraph.federation_version or (1, 0)
            if version < (2, 3):
                check.fail(
                    "KEY_UNSUPPORTED_ON_INTERFACE",
                    f'Cannot use @key on interface "{type_name}": @key is not yet'
                    " supported on interfaces",
                    type_name,
                )
                continue
            _check_interface_key_on_implementations(check, named)
        for key in keys:
            where = f'On type "{type_name}", for @key(fields: "{key.fields}")'
            selected = check.selections(named, key.fields, "key", where, type_name)
            if selected is None:
                continue
            check.common(selected, "key", where, type_name)
            for sel in selected:
                selected_type = get_named_type(sel.field.type)
                if isinstance(selected_type, GraphQLInterfaceType | GraphQLUnionType):
                    kind = "Union" if isinstance(selected_type, GraphQLUnionType) else "Interface"
                    check.fail(
                        "KEY_FIELDS_SELECT_INVALID_TYPE",
                        f'{where}: field "{sel.coordinate}" is a {kind} type which is not'
                        " allowed in @key",
                        type_name,
                    )


def _check_interface_key_on_implementations(check: _Check, interface: GraphQLInterfaceType) -> None:
    interface_keys = {k.fields for k in check.subgraph.keys.get(interface.name, ())}
    for implementation in check.subgraph.schema.get_possible_types(interface):
        own = {k.fields for k in check.subgraph.keys.get(implementation.name, ())}
        missing = sorted(interface_keys - own)
        if missing:
            check.fail(
                "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                f'Key @key(fields: "{missing[0]}") on interface type "{interface.name}" is'
                f' missing on implementation type "{implementation.name}".',
                implementation.name,
            )


def _check_requires_provides(check: _Check) -> bool:
    """Every ``@requires``, then every ``@provides``; False when a ``@provides`` is unusable
    (Apollo throws there, ending the subgraph's validation)."""
    for directive in ("requires", "provides"):
        for named in composite_types(check.subgraph):
            for coordinate, field in _fields(named):
                for application in field_directives(field, directive):
                    if not _check_field_set(
                        check, named, field, application, directive, coordinate
                    ):
                        return False
    return True


def _provides_target(
    check: _Check, field: GraphQLField, coordinate: str
) -> GraphQLNamedType | None:
    if check.meta.is_external(coordinate):
        check.fail(
            "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
            f'Cannot have both @provides and @external on field "{coordinate}"',
            coordinate,
        )
        return None
    target = get_named_type(field.type)
    if not is_composite_type(target):
        check.fail(
            "PROVIDES_ON_NON_OBJECT_FIELD",
            f'Invalid @provides directive on field "{coordinate}": field has type'
            f' "{field.type}" which is not a Composite Type',
            coordinate,
        )
        return None
    return target


def _check_field_set(
    check: _Check,
    named: GraphQLObjectType | GraphQLInterfaceType,
    field: GraphQLField,
    application: object,
    directive: str,
    coordinate: str,
) -> bool:
    target: GraphQLNamedType | None = named
    if directive == "provides":
        target = _provides_target(check, field, coordinate)
        if target is None:
            return False
    if isinstance(named, GraphQLInterfaceType):
        check.fail(
            f"{directive.upper()}_UNSUPPORTED_ON_INTERFACE",
            f'Cannot use @{directive} on field "{coordinate}" of parent type'
            f' "{named.name}": @{directive} is not yet supported within interfaces',
            coordinate,
        )
    fields = argument_value(application, "fields")
    where = f'On field "{coordinate}", for @{directive}(fields: "{fields}")'
    assert target is not None
    selected = check.selections(target, str(fields), directive, where, coordinate)
    if selected is not None:
        check.common(selected, directive, where, coordinate)
        check.must_be_external(selected, directive, where, coordinate)
    return True


def _check_externals(check: _Check) -> None:
    for named in composite_types(check.subgraph):
        for coordinate, _field in _fields(named):
            if not check.meta.is_external(coordinate):
                continue
            if isinstance(named, GraphQLInterfaceType):
                check.fail(
                    "EXTERNAL_ON_INTERFACE",
                    f'Interface type field "{coordinate}" is marked @external but'
                    " @external is not allowed on interface fields (it is nonsensical).",
                    coordinate,
                )
            if coordinate not in check.meta.used:
                check.fail(
                    "EXTERNAL_UNUSED",
                    f'Field "{coordinate}" is marked @external but is not used in any'
                    " federation directive (@key, @provides, @requires) or to satisfy an"
                    " interface; the field declaration has no use and should be removed"
                    " (or the field should not be @external).",
                    coordinate,
                )


def _check_interface_objects(check: _Check) -> None:
    for named in composite_types(check.subgraph):
        is_interface_object = isinstance(named, GraphQLObjectType) and type_directives(
            named, "interfaceObject"
        )
        if is_interface_object and not check.subgraph.keys.get(named.name):
            check.fail(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f"The @interfaceObject directive can only be applied to entity types"
                f' but type "{named.name}" has no @key in this subgraph.',
                named.name,
            )


def validate_subgraph(subgraph: Subgraph, meta: Metadata) -> list[CompositionError]:
    """Every federation-usage error of one subgraph, with Apollo's codes."""
    check = _Check(subgraph, meta)
    _check_keys(check)
    if not _check_requires_provides(check):
        return check.errors
    _check_externals(check)
    _check_interface_objects(check)
    return [
        *check.errors,
        *validate_context(subgraph),
        *validate_shareable(subgraph),
        *validate_cost(subgraph),
        *validate_auth(subgraph, meta),
    ]
