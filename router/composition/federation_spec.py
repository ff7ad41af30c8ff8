"""The Federation 2 subgraph vocabulary: directive definitions and the versions adding them.

Subgraph SDLs are expanded against these definitions under their canonical names (a
subgraph's own ``@link`` imports and renames are mapped onto them by ``expand``).
"""

from __future__ import annotations

from graphql import DirectiveDefinitionNode, DocumentNode, parse

__all__ = [
    "FEDERATION_IDENTITY",
    "FEDERATION_TYPES",
    "KNOWN_FEDERATION_VERSIONS",
    "LINK_IDENTITY",
    "MINIMUM_VERSION",
    "directive_definition",
    "federation_definitions",
]

FEDERATION_IDENTITY = "https://specs.apollo.dev/federation"
LINK_IDENTITY = "https://specs.apollo.dev/link"
KNOWN_FEDERATION_VERSIONS = frozenset((2, minor) for minor in range(0, 14))

_LOCATIONS_ALL = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM"
    " | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_ACCESS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

_DIRECTIVES = {
    "key": "directive @key(fields: federation__FieldSet!, resolvable: Boolean = true)"
    " repeatable on OBJECT | INTERFACE",
    "requires": "directive @requires(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "provides": "directive @provides(fields: federation__FieldSet!) on FIELD_DEFINITION",
    "external": "directive @external(reason: String) on OBJECT | FIELD_DEFINITION",
    "extends": "directive @extends on OBJECT | INTERFACE",
    "shareable": "directive @shareable repeatable on OBJECT | FIELD_DEFINITION",
    "override": "directive @override(from: String!, label: String) on FIELD_DEFINITION",
    "tag": f"directive @tag(name: String!) repeatable on {_LOCATIONS_ALL} | SCHEMA",
    "inaccessible": f"directive @inaccessible on {_LOCATIONS_ALL}",
    "composeDirective": "directive @composeDirective(name: String!) repeatable on SCHEMA",
    "interfaceObject": "directive @interfaceObject on OBJECT",
    "authenticated": f"directive @authenticated on {_ACCESS}",
    "requiresScopes": f"directive @requiresScopes(scopes: [[federation__Scope!]!]!) on {_ACCESS}",
    "policy": f"directive @policy(policies: [[federation__Policy!]!]!) on {_ACCESS}",
    "context": "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "directive @fromContext(field: federation__ContextFieldValue)"
    " on ARGUMENT_DEFINITION",
    "cost": "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION"
    " | INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
    "listSize": "directive @listSize(assumedSize: Int, slicingArguments: [String!],"
    " sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
}

MINIMUM_VERSION = {
    "key": (2, 0),
    "requires": (2, 0),
    "provides": (2, 0),
    "external": (2, 0),
    "extends": (2, 0),
    "shareable": (2, 0),
    "override": (2, 0),
    "tag": (2, 0),
    "inaccessible": (2, 0),
    "composeDirective": (2, 1),
    "interfaceObject": (2, 3),
    "authenticated": (2, 5),
    "requiresScopes": (2, 5),
    "policy": (2, 6),
    "context": (2, 8),
    "fromContext": (2, 8),
    "cost": (2, 9),
    "listSize": (2, 9),
}

FEDERATION_TYPES = ("FieldSet", "Scope", "Policy", "ContextFieldValue")

_PRELUDE = """
scalar federation__FieldSet
scalar federation__Scope
scalar federation__Policy
scalar federation__ContextFieldValue
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
"""


def federation_definitions() -> DocumentNode:
    """Definitions of every federation directive under its canonical name, plus ``@link``."""
    return parse(_PRELUDE + "\n".join(_DIRECTIVES.values()), no_location=True)


def directive_definition(name: str, version: tuple[int, int]) -> DirectiveDefinitionNode:
    """The definition of federation directive ``@name`` as federation ``version`` has it
    (``@shareable`` is repeatable from 2.2, ``@override`` has ``label`` from 2.7)."""
    sdl = _DIRECTIVES[name]
    if name == "shareable" and version < (2, 2):
        sdl = sdl.replace(" repeatable", "")
    if name == "override" and version < (2, 7):
        sdl = sdl.replace(", label: String", "")
    if name == "composeDirective":
        sdl = sdl.replace("String!", "String")
    node = parse(sdl, no_location=True).definitions[0]
    assert isinstance(node, DirectiveDefinitionNode)
    return node
