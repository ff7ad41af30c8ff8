"""``router.yaml`` ``traffic_shaping``: per-subgraph timeout, concurrency, deduplication,
retries and circuit breaker.

As Apollo Router's section of the same name: ``all`` applies to every subgraph and
``subgraphs.<name>`` overrides it key by key (inside ``retries`` and ``circuit_breaker``
too). The rules themselves are enforced by :class:`router.subgraph_client.SubgraphClients`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from router.circuit_breaker import BreakerPolicy
from router.retries import RetryPolicy
from router.subgraph_client import SubgraphShaping

__all__ = [
    "CircuitBreakerConfig",
    "RetriesConfig",
    "SubgraphTrafficConfig",
    "TrafficShapingConfig",
    "subgraph_shaping",
]


class RetriesConfig(BaseModel):
    """Queries only, and only when the connection failed before any response."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_retries: int = Field(default=2, ge=0)  # 0: never retry
    base_delay_seconds: float = Field(default=0.02, ge=0)  # doubles each retry, full jitter
    max_delay_seconds: float = Field(default=0.5, ge=0)

    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_retries, self.base_delay_seconds, self.max_delay_seconds)


class CircuitBreakerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    failure_threshold: int = Field(default=5, gt=0)  # consecutive failures that open it
    cooldown_seconds: float = Field(default=1.0, gt=0)  # open this long, then one probe

    def policy(self) -> BreakerPolicy | None:
        if not self.enabled:
            return None
        return BreakerPolicy(self.failure_threshold, self.cooldown_seconds)


class SubgraphTrafficConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float | None = Field(default=None, gt=0)  # default: serve --timeout
    max_concurrent_requests: int | None = Field(default=None, gt=0)  # default: no limit
    deduplicate_queries: bool | None = None  # default: false
    retries: RetriesConfig | None = None  # default: RetriesConfig()
    circuit_breaker: CircuitBreakerConfig | None = None  # default: CircuitBreakerConfig()


class TrafficShapingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    all: SubgraphTrafficConfig = Field(default_factory=SubgraphTrafficConfig)
    subgraphs: dict[str, SubgraphTrafficConfig] = Field(default_factory=dict)


def subgraph_shaping(
    config: TrafficShapingConfig, names: Iterable[str]
) -> dict[str, SubgraphShaping]:
    """The rules of each subgraph in ``names``; a rule for a subgraph not in the
    supergraph is a :class:`ValueError` (a misspelt name must not leave a limit off)."""
    names = list(names)
    unknown = sorted(set(config.subgraphs) - set(names))
    if unknown:
        raise ValueError(
            f"traffic_shaping.subgraphs: {', '.join(unknown)} not in the supergraph "
            f"(its subgraphs: {', '.join(names)})"
        )
    shaping = {}
    for name in names:
        rule = _merged(config.all, config.subgraphs.get(name, SubgraphTrafficConfig()))
        shaping[name] = SubgraphShaping(
            rule.timeout_seconds,
            rule.max_concurrent_requests,
            bool(rule.deduplicate_queries),
            (rule.retries or RetriesConfig()).policy(),
            (rule.circuit_breaker or CircuitBreakerConfig()).policy(),
        )
    return shaping


def _merged(base: SubgraphTrafficConfig, own: SubgraphTrafficConfig) -> SubgraphTrafficConfig:
    """``own``'s keys over ``base``'s, section by section."""
    update: dict[str, object] = {}
    for key in own.model_fields_set:
        value, under = getattr(own, key), getattr(base, key)
        if isinstance(value, BaseModel) and isinstance(under, BaseModel):
            value = under.model_copy(update=value.model_dump(exclude_unset=True))
        if value is not None:
            update[key] = value
    return base.model_copy(update=update)
