"""Erasure requests (GDPR / PIPL "right to be forgotten"): recorded here, carried out by
every domain on its own data.

``eraseCustomer`` records an :class:`~models.customers.ErasureRequest` with one step per
domain and, in the same transaction, erases the customers domain's own rows (the customer
and their addresses are deleted). It then asks each other domain to erase its part
(:mod:`subgraphs.customers.peer_calls`); a domain that cannot be reached, or answers an
error, leaves its step PENDING with the error and a time to try again, and
:mod:`subgraphs.customers.erasure_retrier` finishes it when the domain is back. Every
domain's erasure is idempotent and transactional, so trying a step twice is harmless.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.base import utcnow
from models.customers import Address, Customer, ErasureRequest, ErasureStatus, ErasureStep
from models.database import Database
from subgraphs.common.errors import DomainError, NotFound
from subgraphs.common.peers import Peers
from subgraphs.customers.peer_calls import PEER_DOMAINS, erase_in

__all__ = [
    "STEP_ORDER",
    "RetryPolicy",
    "attempt_pending_steps",
    "due_requests",
    "load_request",
    "request_erasure",
]

logger = logging.getLogger("subgraphs.customers.erasure")

STEP_ORDER = ("customers", *PEER_DOMAINS)
_MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a failed step is tried again: ``first_delay`` seconds after the first failure,
    doubling up to ``max_delay``; the retrier looks every ``interval`` seconds and takes at
    most ``batch_size`` requests per look."""

    first_delay: float = 1.0
    max_delay: float = 60.0
    interval: float = 1.0
    batch_size: int = 50

    def next_attempt(self, now: datetime, attempts: int) -> datetime:
        delay = min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)
        return now + timedelta(seconds=delay)


async def request_erasure(
    database: Database,
    peers: Peers,
    customer_id: int,
    requested_by: str | None,
    policy: RetryPolicy,
) -> int:
    """The id of the customer's erasure request: created (and attempted in every domain)
    on the first call, returned as it stands on any later one."""
    request_id, created = await _find_or_create(database, customer_id, requested_by, policy)
    if created:
        await attempt_pending_steps(database, peers, request_id, policy)
    return request_id


async def _find_or_create(
    database: Database, customer_id: int, requested_by: str | None, policy: RetryPolicy
) -> tuple[int, bool]:
    try:
        async with database.sessions() as session, session.begin():
            existing = await _request_of(session, customer_id)
            if existing is not None:
                return existing, False
            return await _create(session, customer_id, requested_by, policy), True
    except (IntegrityError, NotFound):
        # A concurrent call created the request first (and deleted the customer, which
        # this one then waited for): its request is the answer.
        async with database.sessions() as session:
            winner = await _request_of(session, customer_id)
        if winner is None:
            raise
        return winner, False


async def _request_of(session: AsyncSession, customer_id: int) -> int | None:
    return await session.scalar(
        select(ErasureRequest.id).where(ErasureRequest.customer_id == customer_id)
    )


async def _create(
    session: AsyncSession, customer_id: int, requested_by: str | None, policy: RetryPolicy
) -> int:
    if await session.get(Customer, customer_id, with_for_update=True) is None:
        raise NotFound(f"No customer with id {customer_id}", id=str(customer_id))
    now = utcnow()
    request = ErasureRequest(
        customer_id=customer_id,
        salt=secrets.token_hex(16),
        requested_by=requested_by,
        requested_at=now,
    )
    session.add(request)
    await session.flush()
    addresses = await session.execute(delete(Address).where(Address.customer_id == customer_id))
    await session.execute(delete(Customer).where(Customer.id == customer_id))
    own_records = 1 + int(addresses.rowcount or 0)  # type: ignore[attr-defined]
    session.add(
        ErasureStep(
            request_id=request.id,
            domain="customers",
            status=ErasureStatus.DONE,
            attempts=1,
            records=own_records,
            last_attempt_at=now,
            next_attempt_at=now,
            completed_at=now,
        )
    )
    session.add_all(
        ErasureStep(
            request_id=request.id,
            domain=domain,
            status=ErasureStatus.PENDING,
            attempts=0,
            records=0,
            next_attempt_at=policy.next_attempt(now, 1),
        )
        for domain in PEER_DOMAINS
    )
    return request.id


async def load_request(database: Database, request_id: int) -> ErasureRequest | None:
    """The request with its steps (in :data:`STEP_ORDER`)."""
    async with database.sessions() as session:
        request = await session.scalar(
            select(ErasureRequest)
            .where(ErasureRequest.id == request_id)
            .options(selectinload(ErasureRequest.steps))
        )
    if request is not None:
        request.steps.sort(key=lambda step: _rank(step.domain))
    return request


def _rank(domain: str) -> int:
    return STEP_ORDER.index(domain) if domain in STEP_ORDER else len(STEP_ORDER)


async def attempt_pending_steps(
    database: Database, peers: Peers, request_id: int, policy: RetryPolicy
) -> int:
    """Try every PENDING step of the request once, in :data:`STEP_ORDER`; returns how many
    completed. Never raises for a domain's failure: it is recorded on the step."""
    request = await load_request(database, request_id)
    if request is None:
        return 0
    completed = 0
    for step in request.steps:
        if step.status is ErasureStatus.DONE:
            continue
        try:
            records = await erase_in(peers, step.domain, request.customer_id, request.salt)
        except Exception as error:  # the domain is down, or failed: try again later
            await _record_failure(database, step.id, _describe(error), policy)
            continue
        await _record_success(database, step.id, records)
        completed += 1
    return completed


def _describe(error: Exception) -> str:
    if isinstance(error, DomainError):
        code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
        text = f"{code}: {error.message}"
    else:
        logger.warning("erasure step failed unexpectedly", exc_info=error)
        text = f"{type(error).__name__}: {error}"
    return text[:_MAX_ERROR_LENGTH]


async def _record_failure(
    database: Database, step_id: int, error: str, policy: RetryPolicy
) -> None:
    now = utcnow()
    async with database.sessions() as session, session.begin():
        step = await session.get(ErasureStep, step_id, with_for_update=True)
        if step is None or step.status is ErasureStatus.DONE:
            return  # a concurrent attempt finished it
        step.attempts += 1
        step.last_attempt_at = now
        step.last_error = error
        step.next_attempt_at = policy.next_attempt(now, step.attempts)


async def _record_success(database: Database, step_id: int, records: int) -> None:
    now = utcnow()
    async with database.sessions() as session, session.begin():
        step = await session.get(ErasureStep, step_id, with_for_update=True)
        if step is None or step.status is ErasureStatus.DONE:
            return
        step.status = ErasureStatus.DONE
        step.attempts += 1
        step.records = records
        step.last_error = None
        step.last_attempt_at = step.completed_at = now
        await session.flush()
        pending = await session.scalar(
            select(func.count())
            .select_from(ErasureStep)
            .where(
                ErasureStep.request_id == step.request_id,
                ErasureStep.status == ErasureStatus.PENDING,
            )
        )
        if not pending:
            request = await session.get(ErasureRequest, step.request_id)
            if request is not None:
                request.completed_at = now


async def due_requests(database: Database, now: datetime, limit: int) -> Sequence[int]:
    """Requests with a PENDING step due by ``now``, the longest waiting first."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(ErasureStep.request_id)
            .where(ErasureStep.status == ErasureStatus.PENDING, ErasureStep.next_attempt_at <= now)
            .group_by(ErasureStep.request_id)
            .order_by(func.min(ErasureStep.next_attempt_at), ErasureStep.request_id)
            .limit(limit)
        )
        return list(rows)
