"""The per-request context every resolver sees: the domain's database, its peers, and the
request's DataLoaders.

Loaders are created lazily, one per batch function per request, so a request costs one
SQL statement per (batch function, wave of the GraphQL execution) however many parents
ask. Each batch opens its own short-lived session: loaders of one request run
concurrently and an ``AsyncSession`` must never be shared between concurrent tasks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader
from strawberry.types import Info

from models.database import Database
from subgraphs.common.audit_report import AuditReport
from subgraphs.common.peers import Peers

__all__ = ["BatchFunction", "SubgraphContext", "context_of"]

KeyT = TypeVar("KeyT", bound=Hashable)
ValueT = TypeVar("ValueT")

BatchFunction = Callable[[Database, Sequence[KeyT]], Awaitable[Sequence[ValueT]]]


@dataclass(slots=True)
class SubgraphContext:
    database: Database
    peers: Peers
    deadline: float | None = None  # time.monotonic() instant (subgraphs.common.deadline)
    # what the request touched, for the router's audit log (subgraphs.common.audit_report)
    audit: AuditReport = field(default_factory=AuditReport)
    _loaders: dict[object, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(self, batch: BatchFunction[KeyT, ValueT]) -> DataLoader[KeyT, ValueT]:
        """This request's DataLoader for ``batch`` (values in key order, ``None`` if missing).
        Past the request's deadline, cancels the resolver that asks instead."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise asyncio.CancelledError("the request's deadline has passed")
        existing = self._loaders.get(batch)
        if existing is None:
            database = self.database

            async def load(keys: list[KeyT]) -> list[ValueT]:
                return list(await batch(database, keys))

            existing = self._loaders[batch] = DataLoader(load)
        return cast("DataLoader[KeyT, ValueT]", existing)


def context_of(info: Info[Any, Any]) -> SubgraphContext:
    return cast("SubgraphContext", info.context)
