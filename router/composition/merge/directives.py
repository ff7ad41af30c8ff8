"""Directive definitions of the supergraph: linked specs, ``@composeDirective`` features and
executable directives every subgraph declares.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    ConstListValueNode,
    DirectiveLocation,
    GraphQLDirective,
    StringValueNode,
    print_ast,
)

from ..expand import Subgraph
from ..links import Link
from ..metadata import argument_value
from ..print_supergraph import print_description
from .context import MergeContext
from .model import Applied, MergedDirective, applied
from .specs import SPECS, Spec

__all__ = ["ComposedFeature", "composed_features", "executable_directives", "spec_links"]

_APOLLO_SPECS = "https://specs.apollo.dev/"
_EXECUTABLE = {
    DirectiveLocation.QUERY,
    DirectiveLocation.MUTATION,
    DirectiveLocation.SUBSCRIPTION,
    DirectiveLocation.FIELD,
    DirectiveLocation.FRAGMENT_DEFINITION,
    DirectiveLocation.FRAGMENT_SPREAD,
    DirectiveLocation.INLINE_FRAGMENT,
    DirectiveLocation.VARIABLE_DEFINITION,
}


@dataclass(slots=True)
class ComposedFeature:
    """A non-Apollo feature whose directives subgraphs ask to keep (``@composeDirective``)."""

    link: Link
    directives: list[str]
    definitions: dict[str, str]


def _composed_names(context: MergeContext, index: int) -> list[str]:
    schema = context.subgraphs[index].schema
    nodes = [schema.ast_node, *schema.extension_ast_nodes]
    names: list[str] = []
    for node in nodes:
        for directive in (node.directives if node else ()) or ():
            if directive.name.value == "composeDirective":
                names.append(str(argument_value(directive, "name")))
    return names


def _compose_error(context: MergeContext, index: int, message: str) -> None:
    context.report("DIRECTIVE_COMPOSITION_ERROR", message, [index])


def composed_features(context: MergeContext) -> list[ComposedFeature]:
    """Validate every ``@composeDirective`` and group the kept directives by feature."""
    features: dict[str, ComposedFeature] = {}
    mismatched: set[str] = set()
    for index, subgraph in enumerate(context.subgraphs):
        for raw in _composed_names(context, index):
            if not raw.startswith("@"):
                _compose_error(
                    context,
                    index,
                    f'Argument to @composeDirective "{raw}" in'
                    f' subgraph "{subgraph.name}" must have a leading "@".',
                )
                continue
            name = raw[1:]
            definition = subgraph.schema.get_directive(name)
            link = next((lk for lk in subgraph.links if lk.owns_directive(name)), None)
            if definition is None or definition.ast_node is None:
                _compose_error(
                    context,
                    index,
                    f"Could not find matching directive definition"
                    f' for argument to @composeDirective "{raw}" in subgraph'
                    f' "{subgraph.name}".',
                )
                continue
            if link is None or link.url.startswith(_APOLLO_SPECS):
                _compose_error(
                    context,
                    index,
                    f'Directive "{raw}" in subgraph'
                    f' "{subgraph.name}" cannot be composed because it is not a'
                    " member of a core feature",
                )
                continue
            feature = features.setdefault(link.identity, ComposedFeature(link, [], {}))
            if link.version[0] != feature.link.version[0]:
                mismatched.add(link.identity)
                continue
            if link.version > feature.link.version:
                feature.link = link
            if name not in feature.directives:
                feature.directives.append(name)
            feature.definitions[name] = print_ast(definition.ast_node)
            context.merged_directives.add(name)
            if definition.is_repeatable:
                context.repeatable.add(name)
    for identity in mismatched:
        context.report(
            "DIRECTIVE_COMPOSITION_ERROR",
            f'Core feature "{identity}" requested to be merged has major version mismatch'
            " across subgraphs",
            [i for i, s in enumerate(context.subgraphs) if _links(s, identity)],
        )
        del features[identity]
    return list(features.values())


def _links(subgraph: Subgraph, identity: str) -> bool:
    return any(link.identity == identity for link in subgraph.links)


def _spec_directive(spec: str, name: str, sdl: str, imported: bool) -> MergedDirective:
    """A spec directive under its supergraph name: unused ones stay prefixed (``@cost__x``)."""
    if imported or name == spec:
        return MergedDirective(name, sdl)
    prefixed = f"{spec}__{name}"
    return MergedDirective(prefixed, sdl.replace(f"directive @{name}", f"directive @{prefixed}", 1))


def _import_list(directives: list[str]) -> ConstListValueNode:
    return ConstListValueNode(values=tuple(StringValueNode(value="@" + d) for d in directives))


def _first_user(context: MergeContext, spec: Spec) -> int:
    """Apollo links the specs in the order it meets them: subgraphs in name order, each
    in the specs' order (``cost`` used in the first subgraph precedes ``inaccessible``
    used only in a later one)."""
    for index, subgraph in enumerate(context.subgraphs):
        if any(context.uses_directive(subgraph, name) for name, _ in spec.directives):
            return index
    return len(context.subgraphs)


def spec_links(
    context: MergeContext, composed: list[ComposedFeature]
) -> tuple[list[Applied], list[MergedDirective], dict[str, str]]:
    """Links, directive definitions and types of the optional specs and composed features."""
    links: list[Applied] = []
    directives: list[MergedDirective] = []
    types: dict[str, str] = {}
    for spec in sorted(SPECS, key=lambda spec: _first_user(context, spec)):
        used = [n for n, _ in spec.directives if n in context.merged_directives]
        if not used:
            continue
        link = applied("link", url=spec.url, **{"for": (spec.purpose,) if spec.purpose else None})
        imports = [n for n in used if n != spec.name]
        if imports:
            link.arguments += (("import", _import_list(imports)),)
        links.append(link)
        directives.extend(
            _spec_directive(spec.name, n, sdl, n in used) for n, sdl in spec.directives
        )
        types.update(spec.types)
    for feature in composed:
        links.append(
            Applied(
                "link",
                (
                    ("url", StringValueNode(value=feature.link.url)),
                    ("import", _import_list(feature.directives)),
                ),
            )
        )
        directives.extend(MergedDirective(n, feature.definitions[n]) for n in feature.directives)
    return links, directives, types


def _executable_sdl(
    directive: GraphQLDirective, description: str | None, locations: list[str], repeatable: bool
) -> str:
    assert directive.ast_node is not None
    args = ""
    if directive.ast_node.arguments:
        args = "(" + ", ".join(print_ast(a) for a in directive.ast_node.arguments) + ")"
    again = " repeatable" if repeatable else ""
    return (
        f"{print_description(description)}directive @{directive.name}{args}{again}"
        f" on {' | '.join(locations)}"
    )


def executable_directives(context: MergeContext, exclude: set[str]) -> list[MergedDirective]:
    """Executable directives defined in every subgraph, on the locations they all share."""
    first = context.subgraphs[0].schema
    out: list[MergedDirective] = []
    for directive in first.directives:
        if directive.ast_node is None or directive.name in exclude:
            continue
        per_subgraph = [s.schema.get_directive(directive.name) for s in context.subgraphs]
        if any(d is None or d.ast_node is None for d in per_subgraph):
            continue
        shared = [
            loc
            for loc in directive.locations
            if loc in _EXECUTABLE and all(loc in d.locations for d in per_subgraph if d is not None)
        ]
        if not shared:
            continue
        repeatable = all(d.is_repeatable for d in per_subgraph if d is not None)
        description = context.description(dict(enumerate(per_subgraph)))
        out.append(
            MergedDirective(
                directive.name,
                _executable_sdl(directive, description, [loc.name for loc in shared], repeatable),
            )
        )
    return out
