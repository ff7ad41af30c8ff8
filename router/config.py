"""``router.yaml``: the router's configuration file, one section per concern.

In the spirit of Apollo Router's YAML config: each top-level key is a section with its own
pydantic model (``authentication``, ``api_keys``, ``identity_propagation``, ...); a new
concern adds a field to :class:`RouterConfig` with its model. Unknown keys are errors, so a
misspelt key cannot silently leave a protection off.

String values may read the environment as Apollo Router's config does: ``${env.NAME}``
(an error when ``NAME`` is unset) or ``${env.NAME:-default}``. Secrets belong there, not in
the file.

:func:`load_config` raises :class:`ConfigError` naming every bad key with its dotted path
(``authentication.jwt.leeway_seconds: ...``); ``python -m router serve`` refuses to start on it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router.audit.config import AuditConfig
from router.authorization.config import AuthorizationConfig
from router.batching import BatchingConfig
from router.csrf import CsrfConfig
from router.demand_control import DemandControlConfig
from router.limits import LimitsConfig
from router.persisted_queries import ApqConfig
from router.rate_limit import RateLimitConfig
from router.security.config import ApiKeysConfig, AuthenticationConfig, IdentityPropagationConfig
from router.security_headers import SecurityHeadersConfig
from router.subscriptions.limits import SubscriptionLimits
from router.telemetry.config import TelemetryConfig
from router.traffic_shaping import TrafficShapingConfig
from router.trusted_documents import TrustedDocumentsConfig

__all__ = ["ConfigError", "RouterConfig", "ToggleConfig", "load_config", "parse_config"]

_ENV_REFERENCE = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(ValueError):
    """The configuration file is unreadable or invalid; the message names each bad key."""


class ToggleConfig(BaseModel):
    """A feature whose default follows ``mode`` unless ``enabled`` says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool | None = None


class RouterConfig(BaseModel):
    """The whole file: every section is optional and defaults to its model's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authentication: AuthenticationConfig = Field(default_factory=AuthenticationConfig)
    api_keys: ApiKeysConfig = Field(default_factory=ApiKeysConfig)
    identity_propagation: IdentityPropagationConfig = Field(
        default_factory=IdentityPropagationConfig
    )
    authorization: AuthorizationConfig = Field(default_factory=AuthorizationConfig)
    demand_control: DemandControlConfig = Field(default_factory=DemandControlConfig)
    rate_limits: RateLimitConfig = Field(default_factory=RateLimitConfig)
    traffic_shaping: TrafficShapingConfig = Field(default_factory=TrafficShapingConfig)
    apq: ApqConfig = Field(default_factory=ApqConfig)
    trusted_documents: TrustedDocumentsConfig = Field(default_factory=TrustedDocumentsConfig)
    csrf: CsrfConfig = Field(default_factory=CsrfConfig)
    security_headers: SecurityHeadersConfig = Field(default_factory=SecurityHeadersConfig)
    batching: BatchingConfig = Field(default_factory=BatchingConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    subscriptions: SubscriptionLimits = Field(default_factory=SubscriptionLimits)
    # production turns off GraphiQL, introspection and query plans unless enabled below
    mode: Literal["development", "production"] = "development"
    graphiql: ToggleConfig = Field(default_factory=ToggleConfig)
    introspection: ToggleConfig = Field(default_factory=ToggleConfig)
    query_plans: ToggleConfig = Field(default_factory=ToggleConfig)

    def enables(self, toggle: ToggleConfig) -> bool:
        """Whether a mode-dependent feature (``graphiql``, ...) is on."""
        return toggle.enabled if toggle.enabled is not None else self.mode != "production"


def load_config(path: Path) -> RouterConfig:
    """Read and validate ``path``; :class:`ConfigError` on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error.strerror}") from None
    return parse_config(text, source=str(path))


def parse_config(
    text: str, *, source: str = "router.yaml", environ: dict[str, str] | None = None
) -> RouterConfig:
    """Validate the YAML ``text`` (``environ`` defaults to ``os.environ``)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections")
    expanded = _expand(document, (), dict(os.environ) if environ is None else environ, source)
    # a section whose keys are all commented out is that section's defaults
    expanded = {name: {} if value is None else value for name, value in expanded.items()}
    if expanded.get("mode") == {}:
        expanded["mode"] = None
    try:
        return RouterConfig.model_validate(expanded)
    except ValidationError as error:
        lines = [f"{source}: {_location(e['loc'])}: {_message(e)}" for e in error.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def _expand(value: Any, path: tuple[str | int, ...], environ: dict[str, str], source: str) -> Any:
    if isinstance(value, dict):
        return {
            key: _expand(item, (*path, str(key)), environ, source) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_expand(item, (*path, index), environ, source) for index, item in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
        if found is not None:
            return found
        if default is not None:
            return default
        raise ConfigError(
            f"{source}: {_location(path)}: the environment variable {name} is not set"
        )

    return _ENV_REFERENCE.sub(substitute, value)


def _location(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")
