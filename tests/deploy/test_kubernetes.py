"""The Kubernetes manifests in deploy/kubernetes: valid against the Kubernetes API schemas
(offline, bundled by kubernetes-validate), and shaped as the README promises: every
subgraph and the router with a Deployment (probes, resource requests, non-root), a
Service, a HorizontalPodAutoscaler and a PodDisruptionBudget; secrets only referenced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from platform_cli.configmaps import MANIFEST, REPOSITORY, render
from subgraphs.registry import DOMAINS

KUBERNETES_VERSION = "1.30.0"
MANIFESTS = REPOSITORY / "deploy" / "kubernetes"


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in sorted(MANIFESTS.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


def _by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in _documents() if d["kind"] == kind}


@pytest.mark.parametrize(
    "document",
    [document for _, document in _documents()],
    ids=[f"{path.name}:{document['kind']}" for path, document in _documents()],
)
def test_valid_against_the_kubernetes_schema(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_an_invalid_manifest_is_refused() -> None:
    deployment = _by_kind("Deployment")["router"]
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_service_has_its_deployment_service_autoscaler_and_budget() -> None:
    expected = {*DOMAINS, "router"}
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(_by_kind(kind)) == expected, kind


def test_deployments_have_probes_requests_and_run_as_non_root() -> None:
    for name, deployment in _by_kind("Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert {"readinessProbe", "livenessProbe"} <= set(container), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name


def test_secrets_are_referenced_never_kept() -> None:
    assert "Secret" not in {document["kind"] for _, document in _documents()}
    router = _by_kind("Deployment")["router"]["spec"]["template"]["spec"]["containers"][0]
    references = {
        entry["name"]: entry["valueFrom"]["secretKeyRef"]["name"] for entry in router["env"]
    }
    assert references == {
        "DATABASE_URL_ROUTER": "ops-platform-secrets",
        "ROUTER_IDENTITY_SECRET": "ops-platform-secrets",
    }


def test_the_router_reads_its_config_maps() -> None:
    pod = _by_kind("Deployment")["router"]["spec"]["template"]["spec"]
    mounted = {volume["configMap"]["name"] for volume in pod["volumes"] if "configMap" in volume}
    assert mounted == set(_by_kind("ConfigMap")) - {"platform-environment"}
    args = pod["containers"][0]["args"]
    assert args[args.index("--supergraph") + 1].endswith("/schema.graphql")
    assert args[args.index("--config") + 1].endswith("/router.yaml")


def test_the_config_maps_hold_the_current_files() -> None:
    expected = render(
        (REPOSITORY / "deploy" / "router.yaml").read_text(encoding="utf-8"),
        (REPOSITORY / "schema.graphql").read_text(encoding="utf-8"),
    )
    assert MANIFEST.read_text(encoding="utf-8") == expected, (
        "deploy/kubernetes/router-config.yaml is stale: run `make compose` or `make deploy-config`"
    )
