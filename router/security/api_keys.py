"""Partner API keys: issued, listed, revoked and rotated by ``python -m router keys``,
checked on each request.

A key reads ``opk_<key id>_<secret>``: the 12-hex-digit key id finds the row, the secret
(256 random bits) is compared by its SHA-256 hash, the only form stored. Lookups are cached
per key id for ``cache_seconds`` (unknown ids too, so guessing costs no query each time):
a revocation reaches every router replica within that time, and ``last_used_at`` is written
once per cache period of a key in use, not on every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.database import Database
from models.migrate import prepare_schema
from models.router_keys import ApiKey
from router.security.bearer import InvalidCredential
from router.security.identity import Identity, IdentityKind, RateQuota

__all__ = ["KEY_PREFIX", "ApiKeyStore", "IssuedKey", "KeyRecord", "UnknownKey"]

KEY_PREFIX = "opk"
_KEY_SHAPE = re.compile(rf"^{KEY_PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})$")
_MAX_CACHED = 10_000


class UnknownKey(LookupError):
    """No key with that id (``revoke``/``rotate``)."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key as ``keys list`` shows it (never its secret)."""

    key_id: str
    client: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    replaces: str | None
    rate_limit: RateQuota | None = None  # None: router.yaml's rate limits apply

    @staticmethod
    def of(row: ApiKey) -> KeyRecord:
        rate_limit = None
        if row.rate_limit_capacity is not None and row.rate_limit_refill_per_second is not None:
            rate_limit = RateQuota(row.rate_limit_capacity, row.rate_limit_refill_per_second)
        return KeyRecord(
            row.key_id,
            row.client,
            tuple(row.scopes),
            row.created_at,
            row.expires_at,
            row.revoked_at,
            row.last_used_at,
            row.replaces,
            rate_limit,
        )

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: ``key`` is the only time the secret is ever seen."""

    record: KeyRecord
    key: str


@dataclass(frozen=True, slots=True)
class _Cached:
    record: KeyRecord | None
    secret_sha256: str
    fetched_at: float


def _check_rate_limit(rate_limit: RateQuota | None) -> None:
    if rate_limit is not None and (rate_limit.capacity < 1 or rate_limit.refill_per_second <= 0):
        raise ValueError("a rate limit needs a capacity of at least 1 and a positive refill rate")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyStore:
    def __init__(
        self,
        database: Database,
        *,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._inflight: dict[str, asyncio.Future[_Cached]] = {}
        self.lookups = 0  # database round trips made by :meth:`authenticate`

    async def create_tables(self) -> None:
        """Migrate the router's tables to head (in production: check that they are there,
        :func:`models.migrate.prepare_schema`)."""
        await prepare_schema(self.database, "router")

    async def create(
        self,
        client: str,
        scopes: Iterable[str],
        expires_at: datetime | None = None,
        *,
        replaces: str | None = None,
        rate_limit: RateQuota | None = None,
    ) -> IssuedKey:
        if not client.strip():
            raise ValueError("a key needs a client name")
        _check_rate_limit(rate_limit)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        row = ApiKey(
            key_id=key_id,
            client=client,
            secret_sha256=_digest(secret),
            scopes=sorted(set(scopes)),
            created_at=utcnow(),
            expires_at=expires_at,
            replaces=replaces,
            rate_limit_capacity=rate_limit.capacity if rate_limit else None,
            rate_limit_refill_per_second=rate_limit.refill_per_second if rate_limit else None,
        )
        async with self.database.sessions() as session, session.begin():
            session.add(row)
        return IssuedKey(KeyRecord.of(row), f"{KEY_PREFIX}_{key_id}_{secret}")

    async def list(self, *, include_inactive: bool = True) -> Sequence[KeyRecord]:
        async with self.database.sessions() as session:
            rows = (await session.scalars(select(ApiKey).order_by(ApiKey.id))).all()
        records = [KeyRecord.of(row) for row in rows]
        now = utcnow()
        return records if include_inactive else [r for r in records if r.usable(now)]

    async def revoke(self, key_id: str) -> KeyRecord:
        """Revoke now (idempotent: an already revoked key keeps its first revocation time)."""
        async with self.database.sessions() as session, session.begin():
            row = await self._row(session, key_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            return KeyRecord.of(row)

    async def set_rate_limit(self, key_id: str, rate_limit: RateQuota | None) -> KeyRecord:
        """Give a key its own rate limit (None: back to router.yaml's); every replica applies
        it within ``cache_seconds``."""
        _check_rate_limit(rate_limit)
        async with self.database.sessions() as session, session.begin():
            row = await self._row(session, key_id)
            row.rate_limit_capacity = rate_limit.capacity if rate_limit else None
            row.rate_limit_refill_per_second = rate_limit.refill_per_second if rate_limit else None
            return KeyRecord.of(row)

    async def rotate(self, key_id: str, grace: timedelta = timedelta(0)) -> IssuedKey:
        """A new key with the same client, scopes, expiry and rate limit; the old one stops working
        after ``grace`` (at once by default) so a partner can switch without downtime."""
        async with self.database.sessions() as session, session.begin():
            old = await self._row(session, key_id)
            record = KeyRecord.of(old)
            if not record.usable(utcnow()):
                raise ValueError(f"key {key_id} is revoked or expired; create a new one")
            if grace > timedelta(0):
                cutoff = utcnow() + grace
                old.expires_at = min(cutoff, old.expires_at) if old.expires_at else cutoff
            else:
                old.revoked_at = utcnow()
        return await self.create(
            record.client,
            record.scopes,
            record.expires_at,
            replaces=key_id,
            rate_limit=record.rate_limit,
        )

    @staticmethod
    async def _row(session: AsyncSession, key_id: str) -> ApiKey:
        row = await session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        if row is None:
            raise UnknownKey(f"no API key with id {key_id}")
        return row

    async def authenticate(self, presented: str) -> Identity:
        """The partner identity of a presented key; :class:`InvalidCredential` otherwise."""
        match = _KEY_SHAPE.match(presented)
        if match is None:
            raise InvalidCredential("not an API key")
        key_id, secret = match.groups()
        cached, fresh = await self._lookup(key_id)
        record = cached.record
        if record is None or not hmac.compare_digest(_digest(secret), cached.secret_sha256):
            raise InvalidCredential("unknown key or wrong secret")
        now = utcnow()
        if not record.usable(now):
            raise InvalidCredential("revoked or expired key")
        if fresh:
            await self._mark_used(key_id, now)
        expires = record.expires_at.timestamp() if record.expires_at else None
        return Identity(
            IdentityKind.PARTNER,
            subject=f"apikey:{key_id}",
            client_id=record.client,
            scopes=frozenset(record.scopes),
            expires_at=expires,
            rate_quota=record.rate_limit,
        )

    async def _lookup(self, key_id: str) -> tuple[_Cached, bool]:
        """The cached row of ``key_id`` and whether it was just read from the database."""
        cached = self._cache.get(key_id)
        if cached is not None and self._clock() - cached.fetched_at < self._cache_seconds:
            return cached, False
        pending = self._inflight.get(key_id)
        if pending is not None:  # one query for a burst of requests with the same key
            return await asyncio.shield(pending), False
        future: asyncio.Future[_Cached] = asyncio.get_running_loop().create_future()
        self._inflight[key_id] = future
        try:
            cached = await self._fetch(key_id)
            future.set_result(cached)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[key_id]
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[key_id] = cached
        return cached, True

    async def _fetch(self, key_id: str) -> _Cached:
        self.lookups += 1
        async with self.database.reads() as session:
            row = await session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        now = self._clock()
        if row is None:
            return _Cached(None, "", now)
        return _Cached(KeyRecord.of(row), row.secret_sha256, now)

    async def _mark_used(self, key_id: str, now: datetime) -> None:
        async with self.database.sessions() as session, session.begin():
            await session.execute(
                update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=now)
            )
