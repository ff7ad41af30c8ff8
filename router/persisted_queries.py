"""Automatic persisted queries (APQ), Apollo's protocol.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``:

* with the hash only: the router answers with the stored query text, else 200
  ``PERSISTED_QUERY_NOT_FOUND`` (message ``PersistedQueryNotFound``, as Apollo Router and
  Apollo Server send it; Apollo Client then retries with the text);
* with the hash and the query: the hash must be the SHA-256 of the text (else 400
  ``PERSISTED_QUERY_HASH_MISMATCH``), and the text is stored under it.

The hash-only form works over GET, so a CDN can cache a query by its URL. The store is in
memory (bounded by bytes, least recently used first out) or in Redis when
``apq.redis_url`` is configured, so that replicas share what clients registered.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from router.byte_cache import ByteBoundedLRU
from router.http_protocol import HTTPProblem

__all__ = [
    "ApqConfig",
    "ApqStore",
    "AutomaticPersistedQueries",
    "MemoryApqStore",
    "RedisApqStore",
    "persisted_query_hash",
    "sha256_hex",
]

_log = logging.getLogger(__name__)

# the text a stored query weighs beyond its own bytes (key, bookkeeping)
_ENTRY_OVERHEAD = 160
_NOT_FOUND_HEADERS = {"Cache-Control": "private, no-cache, must-revalidate"}


class ApqConfig(BaseModel):
    """``apq:`` in router.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    # redis://host:port/db; unset: an in-memory store per router process
    redis_url: str | None = None
    redis_key_prefix: str = "apq:"
    # how long Redis keeps a registered query after its last registration
    ttl_seconds: int = Field(default=24 * 3600, gt=0)
    # the in-memory store's budget
    cache_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # a longer query text is not stored (it is still answered)
    max_query_bytes: int = Field(default=256 * 1024, gt=0)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def persisted_query_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The ``sha256Hash`` of ``extensions.persistedQuery``; 400 when it is malformed."""
    if not extensions or extensions.get("persistedQuery") is None:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise HTTPProblem(400, "BAD_REQUEST", "extensions.persistedQuery must be an object.")
    if persisted.get("version") != 1:
        raise HTTPProblem(
            400, "BAD_REQUEST", "Unsupported persisted query version; only version 1 is."
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not digest:
        raise HTTPProblem(
            400, "BAD_REQUEST", "extensions.persistedQuery.sha256Hash must be a string."
        )
    return digest.lower()


class ApqStore(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, query: str) -> None: ...

    async def aclose(self) -> None: ...


class MemoryApqStore:
    """One process's store, bounded by the bytes of the texts it holds."""

    def __init__(self, max_bytes: int, max_query_bytes: int) -> None:
        self._cache: ByteBoundedLRU[str, str] = ByteBoundedLRU(
            max_bytes, max_query_bytes + _ENTRY_OVERHEAD, max_entries=1 << 20
        )

    def __len__(self) -> int:
        return len(self._cache)

    async def get(self, digest: str) -> str | None:
        return self._cache.get(digest)

    async def put(self, digest: str, query: str) -> None:
        self._cache.put(digest, query, len(query.encode("utf-8")) + _ENTRY_OVERHEAD)

    async def aclose(self) -> None:
        return None


class RedisApqStore:
    """Shared by every replica; a Redis failure degrades to "not found" (the client resends
    the text), never to a failed request."""

    def __init__(self, url: str, *, prefix: str, ttl_seconds: int, max_query_bytes: int) -> None:
        from redis.asyncio import Redis

        self._redis: Redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._max_query_bytes = max_query_bytes

    async def get(self, digest: str) -> str | None:
        try:
            value = await self._redis.get(self._prefix + digest)
        except Exception as error:  # redis.RedisError, OSError, timeouts
            _log.warning("APQ store unavailable (get): %s", error)
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else None

    async def put(self, digest: str, query: str) -> None:
        encoded = query.encode("utf-8")
        if len(encoded) > self._max_query_bytes:
            return
        try:
            await self._redis.set(self._prefix + digest, encoded, ex=self._ttl)
        except Exception as error:
            _log.warning("APQ store unavailable (put): %s", error)

    async def aclose(self) -> None:
        await self._redis.aclose()


class AutomaticPersistedQueries:
    """Resolves the query text of a request that names a persisted query by hash."""

    def __init__(self, store: ApqStore | None) -> None:
        """``store=None``: APQ is disabled (hash-only requests get
        ``PERSISTED_QUERY_NOT_SUPPORTED``)."""
        self.store = store

    @classmethod
    def from_config(cls, config: ApqConfig) -> AutomaticPersistedQueries:
        if not config.enabled:
            return cls(None)
        if config.redis_url:
            store: ApqStore = RedisApqStore(
                config.redis_url,
                prefix=config.redis_key_prefix,
                ttl_seconds=config.ttl_seconds,
                max_query_bytes=config.max_query_bytes,
            )
        else:
            store = MemoryApqStore(config.cache_bytes, config.max_query_bytes)
        return cls(store)

    async def resolve(self, digest: str, query: str | None) -> str:
        """The query text for ``digest`` (``query`` is the text the client sent, if any)."""
        if self.store is None:
            raise HTTPProblem(400, "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported")
        if query is None:
            stored = await self.store.get(digest)
            if stored is None:
                raise HTTPProblem(
                    200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", _NOT_FOUND_HEADERS
                )
            return stored
        if sha256_hex(query) != digest:
            raise HTTPProblem(
                400, "PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query"
            )
        await self.store.put(digest, query)
        return query

    async def aclose(self) -> None:
        if self.store is not None:
            await self.store.aclose()
