"""``router.yaml`` ``traffic_shaping``: per-subgraph timeout, concurrency and deduplication.

As Apollo Router's section of the same name: ``all`` applies to every subgraph and
``subgraphs.<name>`` overrides it key by key. The rules themselves are enforced by
:class:`router.subgraph_client.SubgraphClients`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from router.subgraph_client import SubgraphShaping

__all__ = ["SubgraphTrafficConfig", "TrafficShapingConfig", "subgraph_shaping"]


class SubgraphTrafficConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float | None = Field(default=None, gt=0)  # default: serve --timeout
    max_concurrent_requests: int | None = Field(default=None, gt=0)  # default: no limit
    deduplicate_queries: bool | None = None  # default: false


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
        own = config.subgraphs.get(name, SubgraphTrafficConfig())
        rule = config.all.model_copy(update=own.model_dump(exclude_none=True))
        shaping[name] = SubgraphShaping(
            rule.timeout_seconds, rule.max_concurrent_requests, bool(rule.deduplicate_queries)
        )
    return shaping
