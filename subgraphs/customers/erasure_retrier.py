"""The background retrier of erasure requests: every ``interval`` seconds, the requests with
a step due (its domain was down or failed last time) are tried again, at most
``batch_size`` per pass, each step backing off (``RetryPolicy``) while its domain stays
down. It runs with the customers subgraph (its app's lifespan; the development platform
starts it beside the orders outbox relay) and calls the other domains as the service
identity ``customers-erasure`` with the ``gdpr:manage`` scope.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from models.base import utcnow
from models.database import Database
from subgraphs.common.erasure import GDPR_SCOPE
from subgraphs.common.identity import acting_as_service
from subgraphs.common.log_limit import RateLimitedLog
from subgraphs.common.peers import Peers
from subgraphs.customers.erasure import RetryPolicy, attempt_pending_steps, due_requests

__all__ = ["SERVICE_CLIENT", "retry_due_erasures", "retry_erasures_forever"]

logger = logging.getLogger("subgraphs.customers.erasure_retrier")
SERVICE_CLIENT = "customers-erasure"
_SCOPES = frozenset({GDPR_SCOPE})


async def retry_due_erasures(
    database: Database,
    peers: Peers,
    identity_secret: str | None,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> int:
    """One pass: try the steps due by ``now``; returns how many steps completed."""
    completed = 0
    with acting_as_service(identity_secret, SERVICE_CLIENT, _SCOPES):
        for request_id in await due_requests(database, now or utcnow(), policy.batch_size):
            completed += await attempt_pending_steps(database, peers, request_id, policy)
    return completed


async def retry_erasures_forever(
    database: Database,
    peers: Peers,
    identity_secret: str | None,
    policy: RetryPolicy | None = None,
) -> None:
    policy = policy or RetryPolicy()
    failures = RateLimitedLog(logger, interval=30.0)
    while True:
        try:
            await retry_due_erasures(database, peers, identity_secret, policy)
        except Exception as error:  # e.g. our own database is down: try again next pass
            failures.warning("retrier", f"erasure retrier pass failed: {error!r:.300}")
        await asyncio.sleep(policy.interval)
