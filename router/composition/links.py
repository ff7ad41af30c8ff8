"""Core-schema ``@link`` handling: which names in a schema belong to which linked feature.

A ``@link(url: ".../NAME/vX.Y", as: ALIAS, import: [...])`` puts the feature's elements in
the schema under ``ALIAS__elem`` (or ``NAME__elem``), except the imported ones, which keep
their own name (or the ``as`` rename), and the directive named like the feature itself,
which is ``@ALIAS``. Both the subgraph expansion and the API-schema derivation need this map.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graphql import (
    ConstArgumentNode,
    ConstDirectiveNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)

__all__ = ["Link", "LinkError", "parse_link", "parse_links"]

_URL = re.compile(
    r"^(?P<base>.*?)/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<major>\d+)\.(?P<minor>\d+)$"
)


class LinkError(ValueError):
    """A ``@link`` whose url or ``import`` argument cannot be understood."""


@dataclass(frozen=True, slots=True)
class Link:
    """One ``@link`` application: the feature, its version and how its names are bound."""

    url: str
    identity: str
    name: str
    version: tuple[int, int]
    alias: str | None
    imports: tuple[tuple[str, str], ...]  # (name in feature, name in schema), "@x" for directives

    @property
    def name_in_schema(self) -> str:
        return self.alias or self.name

    def directive_name(self, name_in_feature: str) -> str:
        """The schema name of the feature directive ``@name_in_feature``."""
        for original, local in self.imports:
            if original == "@" + name_in_feature:
                return local[1:]
        if name_in_feature == self.name:
            return self.name_in_schema
        return f"{self.name_in_schema}__{name_in_feature}"

    def owns_directive(self, name: str) -> bool:
        imported = {local[1:] for original, local in self.imports if original.startswith("@")}
        return (
            name == self.name_in_schema
            or name.startswith(self.name_in_schema + "__")
            or name in imported
        )

    def owns_type(self, name: str) -> bool:
        imported = {local for original, local in self.imports if not original.startswith("@")}
        return name.startswith(self.name_in_schema + "__") or name in imported


def _argument(directive: ConstDirectiveNode, name: str) -> ValueNode | None:
    arg: ConstArgumentNode
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return arg.value
    return None


def _string(value: ValueNode | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, StringValueNode):
        if hasattr(value, "value"):
            return str(value.value)
        raise LinkError(f"@link argument {what} must be a string")
    return value.value


def _import(value: ValueNode) -> tuple[str, str]:
    if isinstance(value, StringValueNode):
        return value.value, value.value
    if isinstance(value, ObjectValueNode):
        fields = {f.name.value: f.value for f in value.fields}
        name = _string(fields.get("name"), "import.name")
        alias = _string(fields.get("as"), "import.as") or name
        if name is None or alias is None:
            raise LinkError("@link import object needs a name")
        if name.startswith("@") != alias.startswith("@"):
            raise LinkError(f'@link import "{name}" cannot be renamed to "{alias}"')
        return name, alias
    raise LinkError("@link import entries must be strings or {name, as} objects")


def parse_link(directive: ConstDirectiveNode) -> Link:
    """Read one ``@link`` application (raises :class:`LinkError` when malformed)."""
    url = _string(_argument(directive, "url"), "url")
    if url is None:
        raise LinkError("@link needs a url")
    match = _URL.match(url.rstrip("/"))
    if match is None:
        raise LinkError(f'invalid @link url "{url}": expected ".../NAME/vMAJOR.MINOR"')
    raw_imports = _argument(directive, "import")
    imports: tuple[tuple[str, str], ...] = ()
    if isinstance(raw_imports, ListValueNode):
        imports = tuple(_import(v) for v in raw_imports.values)
    elif raw_imports is not None:
        imports = (_import(raw_imports),)
    return Link(
        url=url,
        identity=f"{match['base']}/{match['name']}",
        name=match["name"],
        version=(int(match["major"]), int(match["minor"])),
        alias=_string(_argument(directive, "as"), "as"),
        imports=imports,
    )


def parse_links(directives: Iterable[ConstDirectiveNode], link_name: str = "link") -> list[Link]:
    return [parse_link(d) for d in directives if d.name.value == link_name]
