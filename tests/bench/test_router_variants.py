from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.environment import REPO_ROOT
from bench.jwt_issuer import JwtIssuer
from bench.router_variants import (
    FEATURES_OFF,
    FEATURES_ON,
    IDENTITY_SECRET_ENV,
    PENDING_SECURITY_SECTIONS,
    PendingSection,
    RouterVariant,
    known_sections,
    security_variants,
)
from router.config import ConfigError, RouterConfig, parse_config
from router.limits import LimitsConfig

SECRET = "s" * 40
ENVIRON = {IDENTITY_SECRET_ENV: SECRET}


def _parsed(variant: RouterVariant) -> RouterConfig:
    return parse_config(variant.yaml_text(), source=variant.name, environ=ENVIRON)


@pytest.fixture(scope="module")
def jwks_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[JwtIssuer, Path]:
    issuer = JwtIssuer.generate()
    return issuer, issuer.write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json")


def test_features_on_and_off_are_valid_router_configs_that_differ_as_intended() -> None:
    on, off = _parsed(FEATURES_ON), _parsed(FEATURES_OFF)
    assert on.demand_control.enabled and on.demand_control.mode == "enforce"
    assert on.apq.enabled and on.limits.max_depth == 32 and on.limits.max_tokens == 15000
    assert on.limits.max_document_bytes == 131072
    assert not off.demand_control.enabled and not off.apq.enabled
    limits = off.limits
    assert not any((limits.max_tokens, limits.max_depth, limits.max_aliases,
                    limits.max_root_fields, limits.max_recursive_selections,
                    limits.max_document_bytes))  # fmt: skip
    # everything else at its defaults in both: only the three features differ
    for name in set(RouterConfig.model_fields) - {"limits", "demand_control", "apq"}:
        assert getattr(on, name) == getattr(off, name) == getattr(RouterConfig(), name)


def test_security_variants_are_valid_and_differ_only_in_security(
    jwks_file: tuple[JwtIssuer, Path],
) -> None:
    issuer, path = jwks_file
    off, on, uncached = security_variants(issuer.jwt_config(path), known=known_sections())
    parsed_off, parsed_on, parsed_uncached = _parsed(off), _parsed(on), _parsed(uncached)
    assert parsed_off.authentication.jwt is None
    assert parsed_off.identity_propagation.secret is None
    jwt_config = parsed_on.authentication.jwt
    assert jwt_config is not None and jwt_config.jwks is not None
    assert jwt_config.jwks.file == path and jwt_config.algorithms == ("RS256",)
    assert jwt_config.cache_seconds > 0
    assert parsed_uncached.authentication.jwt is not None
    assert parsed_uncached.authentication.jwt.cache_seconds == 0
    secret = parsed_on.identity_propagation.secret
    assert secret is not None and secret.get_secret_value() == SECRET
    security = {
        "authentication",
        "identity_propagation",
        *(s.name for s in PENDING_SECURITY_SECTIONS),
    }
    for name in set(RouterConfig.model_fields) - security:
        assert getattr(parsed_on, name) == getattr(parsed_off, name)


def test_the_identity_secret_is_read_from_the_environment_not_written() -> None:
    _, on, _ = security_variants({"allow_hs256": True}, known=frozenset())
    assert SECRET not in on.yaml_text()
    assert "${env." + IDENTITY_SECRET_ENV + "}" in on.yaml_text()
    with pytest.raises(ConfigError, match=IDENTITY_SECRET_ENV):
        parse_config(on.yaml_text(), environ={})


def test_a_pending_section_is_written_only_once_the_router_knows_it() -> None:
    pending = (PendingSection("authorization", on={"enabled": True}, off={"enabled": False}),)
    base = RouterVariant("v", {"apq": {"enabled": True}})
    before = base.with_pending(pending, on=True, known={"apq"})
    assert before.sections == {"apq": {"enabled": True}} and before.missing == ("authorization",)
    after_on = base.with_pending(pending, on=True, known={"apq", "authorization"})
    after_off = base.with_pending(pending, on=False, known={"apq", "authorization"})
    assert after_on.sections["authorization"] == {"enabled": True} and not after_on.missing
    assert after_off.sections["authorization"] == {"enabled": False}


def test_today_s_security_variants_only_write_sections_the_router_accepts() -> None:
    known = known_sections()
    for variant in security_variants({"allow_hs256": True}, known=known):
        assert set(variant.sections) <= known
        assert set(variant.missing) == {s.name for s in PENDING_SECURITY_SECTIONS} - known


def test_write_puts_the_yaml_in_a_file_named_after_the_variant(tmp_path: Path) -> None:
    path = RouterVariant("a b/c", {"apq": {"enabled": False}}).write(tmp_path / "configs")
    assert path.name == "router-a-b-c.yaml"
    assert parse_config(path.read_text(encoding="utf-8")).apq.enabled is False


def test_features_on_has_the_shipped_router_yaml_limits_and_off_turns_every_one_off() -> None:
    shipped = yaml.safe_load((REPO_ROOT / "router.yaml").read_text(encoding="utf-8"))["limits"]
    names = set(LimitsConfig.model_fields) - {"warn_only"}
    assert FEATURES_ON.sections["limits"] == {name: shipped[name] for name in names}
    assert FEATURES_OFF.sections["limits"] == dict.fromkeys(names, 0)
