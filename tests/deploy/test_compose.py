"""deploy/compose.yaml: the router, every subgraph in its own container, PostgreSQL, Redis
and NATS, each with a health check; ``docker compose config`` accepts it where Docker's
compose is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from platform_cli.configmaps import REPOSITORY
from subgraphs.registry import DOMAINS

COMPOSE = REPOSITORY / "deploy" / "compose.yaml"
ENVIRONMENT = {"POSTGRES_PASSWORD": "test-password", "ROUTER_IDENTITY_SECRET": "s" * 32}


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return services


def test_every_part_runs_in_its_own_container_with_a_health_check() -> None:
    services = _services()
    assert {*DOMAINS, "router", "postgres", "redis", "nats", "migrate"} == set(services)
    for name, service in services.items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name
    for name, domain in DOMAINS.items():
        command = services[name]["command"]
        assert command[:5] == ["python", "-m", "subgraphs", "serve", name]
        assert str(domain.port) in command and f":{domain.port}/ready" in str(
            services[name]["healthcheck"]["test"]
        )


def test_subgraphs_start_after_the_migrations() -> None:
    services = _services()
    assert services["migrate"]["command"] == ["python", "-m", "models.migrate", "upgrade"]
    for name in DOMAINS:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    assert set(DOMAINS) <= set(services["router"]["depends_on"])


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_it() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    finished = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        env={**os.environ, **ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr


def test_docker_compose_refuses_to_run_without_the_secrets() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    finished = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "POSTGRES_PASSWORD" in finished.stderr or "ROUTER_IDENTITY_SECRET" in finished.stderr
