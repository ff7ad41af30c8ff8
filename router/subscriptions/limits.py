"""The subscription limits: ``subscriptions:`` in ``router.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SubscriptionLimits"]


class SubscriptionLimits(BaseModel):
    """``max_per_connection``: operations one WebSocket may run at once; ``max_per_client``:
    subscriptions one caller (its client id or subject, else its address) may hold open
    over every connection; ``heartbeat_seconds``: how often a WebSocket gets a ``ping`` and
    an SSE stream a comment line; ``init_timeout_seconds``: how long a WebSocket may wait
    before ``connection_init``; ``upstream_open_timeout_seconds``: the subgraph's WebSocket
    handshake and ``connection_ack``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_per_connection: int = Field(default=32, gt=0)
    max_per_client: int = Field(default=128, gt=0)
    heartbeat_seconds: float = Field(default=15.0, gt=0)
    init_timeout_seconds: float = Field(default=10.0, gt=0)
    upstream_open_timeout_seconds: float = Field(default=10.0, gt=0)
