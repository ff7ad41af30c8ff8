"""GraphQL types of erasure requests (``eraseCustomer``, ``erasureRequest``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import customers as model
from subgraphs.common.access_directives import GDPR_MANAGE
from subgraphs.common.ids import format_id

__all__ = ["ErasureDomainStatus", "ErasureRequest", "ErasureStatus"]

ErasureStatus = strawberry.enum(
    model.ErasureStatus,
    description="PENDING until the domain (or, for a request, every domain) has erased.",
)


@strawberry.type(description="One domain's part of an erasure request.", directives=GDPR_MANAGE)
class ErasureDomainStatus:
    domain: str
    status: ErasureStatus  # type: ignore[valid-type]
    attempts: int
    records: int = strawberry.field(description="Records erased or pseudonymised.")
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed, while PENDING."
    )
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When the retrier tries again, while PENDING."
    )
    completed_at: datetime | None

    @classmethod
    def from_row(cls, row: model.ErasureStep) -> ErasureDomainStatus:
        pending = row.status is model.ErasureStatus.PENDING
        return cls(
            domain=row.domain,
            status=row.status,
            attempts=row.attempts,
            records=row.records,
            last_error=row.last_error,
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at if pending else None,
            completed_at=row.completed_at,
        )


@strawberry.type(
    description="A request to erase a customer's personal data in every domain (GDPR/PIPL).",
    directives=GDPR_MANAGE,
)
class ErasureRequest:
    id: strawberry.ID
    customer_id: strawberry.ID
    status: ErasureStatus  # type: ignore[valid-type]
    requested_by: str | None
    requested_at: datetime
    completed_at: datetime | None
    domains: list[ErasureDomainStatus]

    @classmethod
    def from_row(cls, row: model.ErasureRequest) -> ErasureRequest:
        done = row.completed_at is not None
        return cls(
            id=strawberry.ID(format_id(row.id)),
            customer_id=strawberry.ID(format_id(row.customer_id)),
            status=model.ErasureStatus.DONE if done else model.ErasureStatus.PENDING,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            completed_at=row.completed_at,
            domains=[ErasureDomainStatus.from_row(step) for step in row.steps],
        )
