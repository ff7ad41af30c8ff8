"""The core-schema specs a supergraph links, printed the way Apollo's composition prints them.

``link/v1.0`` and ``join`` are always there (join v0.3, v0.4 from Federation 2.7, v0.5 from
2.8); ``tag``, ``inaccessible`` and the access-control specs only when a subgraph uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LINK", "SPECS", "Spec", "join_spec"]


@dataclass(frozen=True, slots=True)
class Spec:
    url: str
    purpose: str | None
    directives: tuple[tuple[str, str], ...]  # (name, printed definition)
    types: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.url.rstrip("/").split("/")[-2]


_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''

LINK = Spec(
    url="https://specs.apollo.dev/link/v1.0",
    purpose=None,
    directives=(
        (
            "link",
            "directive @link(url: String, as: String, for: link__Purpose,"
            " import: [link__Import]) repeatable on SCHEMA",
        ),
    ),
    types=(("link__Import", "scalar link__Import"), ("link__Purpose", _PURPOSE)),
)

_JOIN_COMMON = (
    ("join__enumValue", "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE"),
    ("join__graph", "directive @join__graph(name: String!, url: String!) on ENUM_VALUE"),
    (
        "join__implements",
        "directive @join__implements(graph: join__Graph!, interface: String!)"
        " repeatable on OBJECT | INTERFACE",
    ),
    (
        "join__type",
        "directive @join__type(graph: join__Graph!, key: join__FieldSet,"
        " extension: Boolean! = false, resolvable: Boolean! = true,"
        " isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM"
        " | INPUT_OBJECT | SCALAR",
    ),
    (
        "join__unionMember",
        "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION",
    ),
)
_JOIN_FIELD = (
    "directive @join__field(graph: join__Graph, requires: join__FieldSet,"
    " provides: join__FieldSet, type: String, external: Boolean, override: String,"
    " usedOverridden: Boolean{extra}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION"
)
_JOIN_DIRECTIVE = (
    "join__directive",
    "directive @join__directive(graphs: [join__Graph!], name: String!,"
    " args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE"
    " | FIELD_DEFINITION",
)
_CONTEXT_ARGUMENT = """input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}"""


def join_spec(federation_version: tuple[int, int]) -> Spec:
    """The join spec version Apollo picks for the newest federation version in use."""
    if federation_version < (2, 7):
        return Spec(
            url="https://specs.apollo.dev/join/v0.3",
            purpose="EXECUTION",
            directives=(*_JOIN_COMMON, ("join__field", _JOIN_FIELD.format(extra=""))),
            types=(("join__FieldSet", "scalar join__FieldSet"),),
        )
    if federation_version < (2, 8):
        return Spec(
            url="https://specs.apollo.dev/join/v0.4",
            purpose="EXECUTION",
            directives=(
                *_JOIN_COMMON,
                _JOIN_DIRECTIVE,
                ("join__field", _JOIN_FIELD.format(extra=", overrideLabel: String")),
            ),
            types=(
                ("join__FieldSet", "scalar join__FieldSet"),
                ("join__DirectiveArguments", "scalar join__DirectiveArguments"),
            ),
        )
    return Spec(
        url="https://specs.apollo.dev/join/v0.5",
        purpose="EXECUTION",
        directives=(
            *_JOIN_COMMON,
            _JOIN_DIRECTIVE,
            (
                "join__field",
                _JOIN_FIELD.format(
                    extra=", overrideLabel: String, contextArguments: [join__ContextArgument!]"
                ),
            ),
        ),
        types=(
            ("join__FieldSet", "scalar join__FieldSet"),
            ("join__DirectiveArguments", "scalar join__DirectiveArguments"),
            ("join__FieldValue", "scalar join__FieldValue"),
            ("join__ContextArgument", _CONTEXT_ARGUMENT),
        ),
    )


_ALL_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM"
    " | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_ACCESS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

# In the order Apollo links them; a spec is linked when a subgraph applies one of its
# directives, and only the applied directives are defined.
SPECS: tuple[Spec, ...] = (
    Spec(
        url="https://specs.apollo.dev/tag/v0.3",
        purpose=None,
        directives=(
            ("tag", f"directive @tag(name: String!) repeatable on {_ALL_LOCATIONS} | SCHEMA"),
        ),
    ),
    Spec(
        url="https://specs.apollo.dev/inaccessible/v0.2",
        purpose="SECURITY",
        directives=(("inaccessible", f"directive @inaccessible on {_ALL_LOCATIONS}"),),
    ),
    Spec(
        url="https://specs.apollo.dev/authenticated/v0.1",
        purpose="SECURITY",
        directives=(("authenticated", f"directive @authenticated on {_ACCESS}"),),
    ),
    Spec(
        url="https://specs.apollo.dev/requiresScopes/v0.1",
        purpose="SECURITY",
        directives=(
            (
                "requiresScopes",
                f"directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on {_ACCESS}",
            ),
        ),
        types=(("requiresScopes__Scope", "scalar requiresScopes__Scope"),),
    ),
    Spec(
        url="https://specs.apollo.dev/policy/v0.1",
        purpose="SECURITY",
        directives=(
            ("policy", f"directive @policy(policies: [[policy__Policy!]!]!) on {_ACCESS}"),
        ),
        types=(("policy__Policy", "scalar policy__Policy"),),
    ),
    Spec(
        url="https://specs.apollo.dev/context/v0.1",
        purpose="SECURITY",
        directives=(
            (
                "context",
                "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
            ),
            (
                "fromContext",
                "directive @fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION",
            ),
        ),
        types=(("context__ContextFieldValue", "scalar context__ContextFieldValue"),),
    ),
    Spec(
        url="https://specs.apollo.dev/cost/v0.1",
        purpose=None,
        directives=(
            (
                "cost",
                "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM"
                " | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
            ),
            (
                "listSize",
                "directive @listSize(assumedSize: Int, slicingArguments: [String!],"
                " sizedFields: [String!], requireOneSlicingArgument: Boolean = true)"
                " on FIELD_DEFINITION",
            ),
        ),
    ),
)
