"""``docs/access.md``: who may read each type and field, generated from the supergraph.

    python -m router access-table --supergraph schema.graphql > docs/access.md

Every object type of the API schema gets a row, then one row per field with the
requirement declared on it and what applies to reading it: its type's requirement (the
type is reached only through fields returning it), its own, and its return type's.
"""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type

from router.authorization.requirements import AccessRequirements, Alternatives, Requirement
from router.supergraph import Supergraph

__all__ = ["access_table", "describe"]

PREAMBLE = """\
# Who may read what

Generated from `schema.graphql` by
`python -m router access-table --supergraph schema.graphql > docs/access.md`;
a test fails when this file is stale. The directives live in the subgraphs
(`subgraphs/common/access_directives.py`); the router enforces them before planning
(`router/authorization/`): what a caller may not see is removed from the operation and
answered `null` with one error per removed path (`extensions.code:
UNAUTHORIZED_FIELD_OR_TYPE`), the rest runs; with `authorization.reject_unauthorized:
true` in `router.yaml` the whole operation is refused (403) and nothing runs. The
subgraphs add row-level rules on top (a customer sees only its own rows).

## Callers

- **anonymous**: no credential; sees the catalogue only.
- **customer**: a JWT bearer token whose `scope` has `customer` and whose `sub` is the
  customer's id as `Customer.id` prints it (`"42"`).
- **staff**: a JWT bearer token with scope `staff` (the back office: reads and writes every
  business domain). `staff` does not imply `pii:read`, `audit:read` or `gdpr:manage`.
- **partner**: an API key (`python -m router keys create --client acme --scopes "..."`);
  only the scopes on its key.

## Scopes

`staff`, `customer`, `catalog:write`, `inventory:read`, `inventory:write`,
`customers:read`, `customers:write`, `orders:read`, `orders:write`, `marketing:read`,
`marketing:write`, `pii:read`, `audit:read`, `gdpr:manage`.

## Reading the table

- **public**: anyone, anonymous included; **authenticated**: any credential;
- **scopes** `(a OR b OR (c AND d))`: the caller's scopes must include one alternative;
- **policy** `p`: the policy hook (`router.yaml` `authorization.policy_hook`, default
  `router.authorization.policies:default_policies`) must grant `p`. The default hook grants
  `customer_bulk_read` to staff and to partner keys with `customers:read`: listing the
  whole customer base is for the back office and integrations, not for a user token.
- A mutation returning a protected type also needs that type's read requirement (a key
  that writes orders must be able to read them); the mutation does not run otherwise.
"""


def _dnf(alternatives: Alternatives) -> str:
    parts = []
    for inner in alternatives:
        names = sorted(inner)
        parts.append(names[0] if len(names) == 1 else "(" + " AND ".join(names) + ")")
    if len(parts) > 1:
        return "(" + " OR ".join(parts) + ")"
    return parts[0] if parts else "nothing"


def describe(requirement: Requirement) -> str:
    """``public``, or the parts of the requirement joined by ``AND``."""
    parts = []
    if requirement.authenticated:
        parts.append("authenticated")
    if requirement.scopes is not None:
        parts.append("scopes " + _dnf(requirement.scopes))
    if requirement.policies is not None:
        parts.append("policy " + _dnf(requirement.policies))
    return " AND ".join(parts) or "public"


def _all(*requirements: Requirement) -> str:
    """Several requirements that all apply, each said once."""
    distinct = [r for r in dict.fromkeys(requirements) if r != Requirement()]
    return " AND ".join(describe(r) for r in distinct) or "public"


def access_table(supergraph_sdl: str) -> str:
    supergraph = Supergraph.from_sdl(supergraph_sdl)
    requirements = AccessRequirements.from_supergraph(supergraph.schema, supergraph.possible_types)
    api = supergraph.api_schema
    lines = [PREAMBLE, "## Types and fields", "", "| coordinate | declared | applies |"]
    lines.append("| --- | --- | --- |")
    for name in sorted(api.type_map):
        named = api.type_map[name]
        if name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        own = requirements.of_type(name)
        lines.append(f"| **{name}** | {describe(own)} | {describe(own)} |")
        for field_name, field in named.fields.items():
            declared = requirements.of_field(name, field_name)
            returned = requirements.of_type(get_named_type(field.type).name)
            lines.append(
                f"| {name}.{field_name} | {describe(declared)} | {_all(own, declared, returned)} |"
            )
    return "\n".join(lines) + "\n"
