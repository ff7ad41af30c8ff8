"""router.yaml: validated at start-up, each bad key named; the router refuses to start."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.__main__ import main
from router.config import ConfigError, RouterConfig, load_config, parse_config
from router.security.middleware import security_from_config

SUPERGRAPH = Path(__file__).resolve().parents[2] / "fixtures/fleet/supergraph.graphql"

GOOD = """
authentication:
  jwt:
    jwks:
      url: https://id.example.test/.well-known/jwks.json
      refresh_seconds: 600
    issuer: https://id.example.test/
    audiences: [ops-platform]
    algorithms: [RS256, ES256]
    leeway_seconds: 10
api_keys:
  enabled: true
  database_url: ${env.KEYS_DB:-sqlite+aiosqlite:///var/keys.db}
  cache_seconds: 3
identity_propagation:
  secret: ${env.ROUTER_IDENTITY_SECRET}
  ttl_seconds: 30
"""


def test_a_complete_file() -> None:
    config = parse_config(GOOD, environ={"ROUTER_IDENTITY_SECRET": "s" * 40})
    assert config.authentication.jwt is not None
    assert config.authentication.jwt.audiences == ("ops-platform",)
    assert config.api_keys.database_url == "sqlite+aiosqlite:///var/keys.db"
    assert config.identity_propagation.secret is not None
    assert config.identity_propagation.secret.get_secret_value() == "s" * 40
    assert "s" * 40 not in repr(config)  # secrets are not printed


def test_an_empty_file_is_the_defaults() -> None:
    assert parse_config("") == RouterConfig()
    assert parse_config("authentication:\n  # jwt: ...\n") == RouterConfig()


def test_the_checked_in_router_yaml_is_valid() -> None:
    path = Path(__file__).resolve().parents[3] / "router.yaml"
    config = parse_config(path.read_text(), environ={"ROUTER_IDENTITY_SECRET": "s" * 32})
    assert config.api_keys.enabled


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("authentification: {}", "authentification: unknown key"),
        ("authentication:\n  jwt:\n    isuer: x\n    jwks: {file: j}", "authentication.jwt.isuer"),
        (
            "authentication:\n  jwt:\n    jwks: {file: j}\n    leeway_seconds: lots",
            "leeway_seconds",
        ),
        ("authentication:\n  jwt:\n    jwks: {file: j}\n    leeway_seconds: -1", "leeway_seconds"),
        ("authentication:\n  jwt:\n    jwks: {file: j}\n    algorithms: [none]", "algorithms[0]"),
        ("authentication:\n  jwt:\n    algorithms: [HS256]\n", "allow_hs256"),
        (
            "authentication:\n  jwt:\n    algorithms: [HS256]\n    allow_hs256: true\n",
            "needs hs256_secret",
        ),
        (
            "authentication:\n  jwt:\n    algorithms: [HS256]\n    allow_hs256: true\n"
            "    hs256_secret: short",
            "at least 32 bytes",
        ),
        ("authentication:\n  jwt:\n    issuer: x", "need jwks"),
        ("authentication:\n  jwt:\n    jwks: {file: a, url: 'https://b'}", "exactly one"),
        ("authentication:\n  jwt:\n    jwks: {url: 'not a url'}", "authentication.jwt.jwks.url"),
        ("api_keys:\n  enabled: maybe", "api_keys.enabled"),
        ("api_keys:\n  cache_seconds: 3600", "api_keys.cache_seconds"),
        ("identity_propagation:\n  secret: short", "at least 32 bytes"),
        ("identity_propagation:\n  header: 'x bad'", "identity_propagation.header"),
        ("identity_propagation:\n  secret: ${env.UNSET_FOR_SURE}", "UNSET_FOR_SURE is not set"),
        ("- a list", "top level must be a mapping"),
        ("a: [unclosed", "not valid YAML"),
    ],
)
def test_a_bad_key_is_named(text: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text, environ={})
    assert named in str(raised.value)


def test_the_router_refuses_to_start_on_an_invalid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "router.yaml"
    path.write_text("authentication:\n  jwt:\n    leeway_seconds: 10\n    isuer: x\n")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--supergraph", str(SUPERGRAPH), "--config", str(path), "--port", "15901"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "authentication.jwt.isuer: unknown key" in error


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_production_mode_needs_the_identity_secret() -> None:
    with pytest.raises(ConfigError, match=r"identity_propagation\.secret"):
        security_from_config(RouterConfig(), environ={"OPS_MODE": "production"})
