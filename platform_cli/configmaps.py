"""``python -m platform_cli.configmaps``: write ``deploy/kubernetes/router-config.yaml``, the
ConfigMaps holding ``deploy/router.yaml`` (``router-config``) and the composed supergraph
``schema.graphql`` (``router-supergraph``), from those files (``make deploy-config``).

A test fails while the manifest differs from its sources, so a recomposed supergraph or an
edited router.yaml cannot be forgotten in the deployment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["MANIFEST", "render", "write"]

REPOSITORY = Path(__file__).resolve().parents[1]
MANIFEST = REPOSITORY / "deploy" / "kubernetes" / "router-config.yaml"
NAMESPACE = "ops-platform"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks: the files read as themselves in the manifest."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def _config_map(name: str, key: str, text: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "data": {key: text},
    }


def render(router_yaml: str, supergraph: str) -> str:
    documents = [
        _config_map("router-config", "router.yaml", router_yaml),
        _config_map("router-supergraph", "schema.graphql", supergraph),
    ]
    header = "# Written by `make deploy-config` from deploy/router.yaml and schema.graphql.\n"
    body = yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, width=1000)
    return header + body


def write(repository: Path = REPOSITORY) -> Path:
    text = render(
        (repository / "deploy" / "router.yaml").read_text(encoding="utf-8"),
        (repository / "schema.graphql").read_text(encoding="utf-8"),
    )
    manifest = repository / MANIFEST.relative_to(REPOSITORY)
    manifest.write_text(text, encoding="utf-8")
    return manifest


if __name__ == "__main__":
    print(write())
