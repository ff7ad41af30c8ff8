"""Rate limits: token buckets per client and for the whole router, shared through Redis.

Each ``/graphql`` request takes one token from its client's bucket and one from the global
bucket, both or neither (one atomic Lua script in Redis, so every replica sees the same
buckets). A bucket holds at most ``capacity`` tokens and regains ``refill_per_second``; an
empty one answers 429 with ``Retry-After`` (whole seconds until a token is back) and the
GraphQL error ``RATE_LIMITED``, before the request body is read.

The client is the identity the security middleware put in the ASGI scope: a partner's API
key client id, else a JWT subject, else the peer's IP address. A client's bucket size is,
first, the one on its API key's record (``python -m router keys create --rate-limit 100/s``),
else its entry in ``clients``, else ``per_client``. The middleware leaves the client's
:class:`ClientBuckets` in the scope's state so that each further operation of a batch takes
its own token (:mod:`router.server`).

Without ``redis_url`` the buckets live in this process's memory (one replica only). When
Redis cannot be reached, ``on_redis_error: open`` lets the request through and ``closed``
answers 503 ``SERVICE_UNAVAILABLE``; either way a warning is logged (once per outage, and
when Redis is back) and the counter ``router_rate_limit_redis_errors_total`` (``/metrics``)
counts the failures; ``router_rate_limited_total`` counts refusals.

Time comes from ``clock`` (seconds), so tests count refills instead of waiting; replicas
sharing Redis must have synchronised clocks (NTP), as the script takes the caller's time.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from router.http_protocol import error_body
from router.security.identity import Identity, RateQuota
from router.telemetry.metrics import counter_value

__all__ = [
    "BucketConfig",
    "BucketLimit",
    "ClientBuckets",
    "MemoryBuckets",
    "RateLimitConfig",
    "RateLimiter",
    "RedisBuckets",
    "client_key",
]

_logger = logging.getLogger(__name__)
Clock = Callable[[], float]


class BucketConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    capacity: int = Field(gt=0)  # the burst: tokens a full bucket holds
    refill_per_second: float = Field(gt=0)


class RateLimitConfig(BaseModel):
    """``router.yaml`` ``rate_limits``: off unless ``enabled``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    per_client: BucketConfig | None = None
    global_: BucketConfig | None = Field(default=None, alias="global")
    # client id (API key client, JWT subject or IP) -> its own per-client bucket
    clients: dict[str, BucketConfig] = Field(default_factory=dict)
    redis_url: str | None = None  # in memory (this process only) when unset
    key_prefix: str = "router:ratelimit:"
    on_redis_error: Literal["open", "closed"] = "open"
    redis_timeout_seconds: float = Field(default=0.5, gt=0)


@dataclass(frozen=True, slots=True)
class BucketLimit:
    key: str
    capacity: int
    refill_per_second: float


# KEYS: bucket keys; ARGV: now, then capacity and refill rate per key. Every bucket is
# refilled to now; the request takes a token from each only when each has one. Returns
# {1, 0} when taken, else {0, milliseconds until every bucket has a token}.
_SCRIPT = """
local now = tonumber(ARGV[1])
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil then
    tokens = capacity
  elseif now > at then
    tokens = math.min(capacity, tokens + (now - at) * rate)
  end
  levels[i] = tokens
  if tokens < 1 then
    wait = math.max(wait, math.ceil((1 - tokens) / rate * 1000))
  end
end
local taken = 0
if wait == 0 then taken = 1 end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', key, 'tokens', tostring(levels[i] - taken), 'at', ARGV[1])
  redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
end
return {taken, wait}
"""


def _refilled(tokens: float, at: float, now: float, limit: BucketLimit) -> float:
    if now <= at:
        return tokens
    return min(float(limit.capacity), tokens + (now - at) * limit.refill_per_second)


class MemoryBuckets:
    """The buckets in this process (the fallback without Redis); the least recently used
    are forgotten beyond ``max_buckets`` (a forgotten bucket is full again)."""

    def __init__(self, max_buckets: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max = max_buckets

    async def take(self, limits: Sequence[BucketLimit], now: float) -> float:
        """0.0 when a token was taken from every bucket, else seconds until one can be."""
        levels = []
        wait = 0.0
        for limit in limits:
            tokens, at = self._buckets.get(limit.key, (float(limit.capacity), now))
            tokens = _refilled(tokens, at, now, limit)
            levels.append(tokens)
            if tokens < 1:
                wait = max(wait, (1 - tokens) / limit.refill_per_second)
        taken = 0 if wait else 1
        for limit, tokens in zip(limits, levels, strict=True):
            self._buckets[limit.key] = (tokens - taken, now)
            self._buckets.move_to_end(limit.key)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return wait

    async def aclose(self) -> None:
        return None


class RedisBuckets:
    """The buckets in Redis, shared by every replica (one script call per request)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.redis: Redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self.redis.register_script(_SCRIPT)

    async def take(self, limits: Sequence[BucketLimit], now: float) -> float:
        arguments: list[Any] = [repr(now)]
        for limit in limits:
            arguments += [limit.capacity, repr(limit.refill_per_second)]
        taken, wait_ms = await self._script(keys=[limit.key for limit in limits], args=arguments)
        return 0.0 if int(taken) else int(wait_ms) / 1000

    async def aclose(self) -> None:
        await self.redis.aclose()


def client_key(identity: Identity | None, scope: Scope) -> str:
    """Whose bucket a request takes from: API key client, JWT subject, else the peer IP."""
    if identity is not None and identity.client_id is not None:
        return f"client:{identity.client_id}"
    if identity is not None and identity.subject is not None:
        return f"subject:{identity.subject}"
    peer = scope.get("client")
    return f"ip:{peer[0] if peer else 'unknown'}"


_RATE_LIMITED_BODY = orjson.dumps(
    error_body("Too many requests; retry after the time in Retry-After.", "RATE_LIMITED")
)
_UNAVAILABLE_BODY = orjson.dumps(
    error_body("Rate limits cannot be checked right now; retry later.", "SERVICE_UNAVAILABLE")
)


class RateLimiter:
    """Decides per request; ``wrap`` puts it in front of an ASGI app (behind the security
    middleware, whose identity it reads)."""

    def __init__(self, config: RateLimitConfig, *, clock: Clock = time.time) -> None:
        self.config = config
        self.clock = clock
        self.buckets: MemoryBuckets | RedisBuckets
        if config.redis_url:
            self.buckets = RedisBuckets(config.redis_url, config.redis_timeout_seconds)
        else:
            self.buckets = MemoryBuckets()
        # registered by the app that serves /metrics (router.telemetry.metrics)
        self.redis_error_count = Counter(
            "router_rate_limit_redis_errors",
            "Rate-limit checks that could not reach Redis (failed open or closed by config).",
            registry=None,
        )
        self.refused_count = Counter(
            "router_rate_limited", "Operations refused with RATE_LIMITED.", registry=None
        )
        self._redis_down = False

    @property
    def redis_errors(self) -> int:
        return int(counter_value(self.redis_error_count))

    def counters(self) -> tuple[Counter, ...]:
        return (self.redis_error_count, self.refused_count)

    @classmethod
    def from_config(cls, config: RateLimitConfig) -> RateLimiter | None:
        """None when off; on without any bucket in the file, only keys with a rate limit
        of their own are limited."""
        return cls(config) if config.enabled else None

    def limits_for(self, client: str, quota: RateQuota | None = None) -> list[BucketLimit]:
        """The buckets of ``client``: ``quota`` (its credential's own limit) wins over
        ``clients`` and ``per_client``."""
        prefix = self.config.key_prefix
        limits = []
        per_client: BucketConfig | RateQuota | None = quota or self.config.clients.get(
            client.split(":", 1)[1], self.config.per_client
        )
        if per_client is not None:
            limits.append(
                BucketLimit(f"{prefix}{client}", per_client.capacity, per_client.refill_per_second)
            )
        if self.config.global_ is not None:
            bucket = self.config.global_
            limits.append(BucketLimit(f"{prefix}global", bucket.capacity, bucket.refill_per_second))
        return limits

    def buckets_of(self, identity: Identity | None, scope: Scope) -> ClientBuckets:
        quota = identity.rate_quota if identity is not None else None
        return ClientBuckets(self, tuple(self.limits_for(client_key(identity, scope), quota)))

    async def check(self, client: str, quota: RateQuota | None = None) -> float | None:
        """0.0 to go ahead, seconds to wait when over a limit, None when Redis failed and
        ``on_redis_error`` is ``closed``."""
        return await self.take(self.limits_for(client, quota))

    async def take(self, limits: Sequence[BucketLimit]) -> float | None:
        """A token from each of ``limits`` (as :meth:`check`)."""
        if not limits:
            return 0.0
        try:
            wait = await self.buckets.take(limits, self.clock())
        except (RedisError, OSError) as error:
            self.redis_error_count.inc()
            if not self._redis_down:
                self._redis_down = True
                _logger.warning(
                    "rate limits: Redis unreachable (%s); failing %s",
                    error,
                    self.config.on_redis_error,
                )
            return 0.0 if self.config.on_redis_error == "open" else None
        if self._redis_down:
            self._redis_down = False
            _logger.warning("rate limits: Redis reachable again")
        if wait:
            self.refused_count.inc()
        return wait

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return _RateLimitMiddleware(app, self)

    async def aclose(self) -> None:
        await self.buckets.aclose()


@dataclass(frozen=True, slots=True)
class ClientBuckets:
    """The buckets one request's client takes from (in the ASGI scope's
    ``state["rate_limits"]``): each further operation of a batch takes one more token."""

    limiter: RateLimiter
    limits: tuple[BucketLimit, ...]

    async def take(self) -> float | None:
        return await self.limiter.take(self.limits)


class _RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = dict(scope.get("state") or {})
        buckets = self.limiter.buckets_of(state.get("identity"), scope)
        wait = await buckets.take()
        if wait == 0.0:
            state["rate_limits"] = buckets
            await self.app({**scope, "state": state}, receive, send)
            return
        if wait is None:
            await _answer(send, 503, _UNAVAILABLE_BODY, 1)
            return
        await _answer(send, 429, _RATE_LIMITED_BODY, max(1, math.ceil(wait)))


async def _answer(send: Send, status: int, body: bytes, retry_after: int) -> None:
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
