"""deploy/Dockerfile: multi-stage on a slim base, runs as a non-root user, and ships what
the processes read at run time (the migrations travel inside the package)."""

from __future__ import annotations

import re
import tomllib

from platform_cli.configmaps import REPOSITORY
from router.config import parse_config

DOCKERFILE = (REPOSITORY / "deploy" / "Dockerfile").read_text(encoding="utf-8")


def test_multi_stage_slim_non_root() -> None:
    stages = re.findall(r"^FROM (\S+) AS (\w+)", DOCKERFILE, re.M)
    assert [name for _, name in stages] == ["build", "runtime"]
    assert "slim" in re.search(r"^ARG PYTHON_IMAGE=(\S+)", DOCKERFILE, re.M)[1]  # type: ignore[index]
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user == ["10001:10001"]
    assert "COPY --from=build /opt/venv /opt/venv" in DOCKERFILE


def test_every_package_is_in_the_image() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    ignore = (REPOSITORY / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert f"COPY {package} ./{package}\n" in DOCKERFILE, package
        assert f"!{package}/\n" in ignore, package
        assert re.search(rf"^RUN mkdir .*\b{package}\b", DOCKERFILE, re.M), package


def test_the_package_carries_its_migrations() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["models"]
    models = REPOSITORY / "models"
    shipped = {path for pattern in patterns for path in models.glob(pattern)}
    migrations = {
        path for path in (models / "migrations").rglob("*") if path.suffix in (".py", ".mako")
    }
    assert migrations and migrations <= shipped


def test_the_production_router_yaml_is_valid() -> None:
    text = (REPOSITORY / "deploy" / "router.yaml").read_text(encoding="utf-8")
    environment = {
        "DATABASE_URL_ROUTER": "postgresql+asyncpg://ops@postgres/ops",
        "ROUTER_IDENTITY_SECRET": "s" * 32,
        "REDIS_URL": "redis://redis:6379/0",
    }
    config = parse_config(text, source="deploy/router.yaml", environ=environment)
    assert config.mode == "production"
    assert config.rate_limits.redis_url == environment["REDIS_URL"]


def test_copied_files_exist() -> None:
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M):
        sources = [part for part in line.split() if not part.startswith("--")][:-1]
        for source in sources:
            assert (REPOSITORY / source).exists(), source
