from __future__ import annotations

import pytest
from graphql import SchemaExtensionNode, parse

from router.composition.links import Link, LinkError, parse_link


def _link(arguments: str) -> Link:
    node = parse(f"extend schema @link({arguments})").definitions[0]
    assert isinstance(node, SchemaExtensionNode) and node.directives
    return parse_link(node.directives[0])


def test_reads_identity_version_and_imports() -> None:
    link = _link('url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "FieldSet"]')
    assert link.owns_type("FieldSet") and link.owns_type("federation__Scope")
    assert (link.identity, link.name, link.version) == (
        "https://specs.apollo.dev/federation",
        "federation",
        (2, 3),
    )
    assert link.directive_name("key") == "key"
    assert link.directive_name("shareable") == "federation__shareable"


def test_alias_and_renamed_import() -> None:
    link = _link(
        'url: "https://specs.apollo.dev/tag/v0.3", as: "mytag",'
        ' import: [{name: "@tag", as: "@label"}]'
    )
    assert link.directive_name("tag") == "label"
    assert link.owns_directive("label") and link.owns_directive("mytag__other")
    assert not link.owns_directive("tag")


@pytest.mark.parametrize(
    "arguments",
    [
        'url: "https://example.com/no-version"',
        'url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "Key"}]',
        'import: ["@key"]',
    ],
)
def test_malformed_links_raise(arguments: str) -> None:
    with pytest.raises(LinkError):
        _link(arguments)
