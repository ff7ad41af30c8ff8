"""GraphQL types of the customers domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models import customers as model
from subgraphs.common.access import CUSTOMER_PROFILES
from subgraphs.common.access_directives import CUSTOMERS_READ
from subgraphs.common.context import context_of
from subgraphs.common.ids import format_id, parse_id
from subgraphs.customers import loaders

__all__ = [
    "Address",
    "AddressInput",
    "AddressKind",
    "CreateCustomerInput",
    "Customer",
    "CustomerFilter",
    "CustomerTier",
    "UpdateCustomerInput",
]

CustomerTier = strawberry.enum(model.CustomerTier, description="Loyalty tier.")
AddressKind = strawberry.enum(model.AddressKind)


_PII = ["pii"]  # personal data: masked without pii:read (subgraphs.common.pii)


@strawberry.type
class Address:
    kind: AddressKind  # type: ignore[valid-type]
    line1: str = strawberry.federation.field(tags=_PII)
    city: str
    postal_code: str = strawberry.federation.field(tags=_PII)
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code")
    # whose personal data this is, for the audit log (an address has no id of its own)
    pii_owner: strawberry.Private[tuple[str, str]]

    @classmethod
    def from_row(cls, row: model.Address) -> Address:
        return cls(
            kind=row.kind,
            line1=row.line1,
            city=row.city,
            postal_code=row.postal_code,
            country=row.country,
            pii_owner=("Customer", format_id(row.customer_id)),
        )


@strawberry.federation.type(
    keys=["id"], description="A customer of the business.", directives=CUSTOMERS_READ
)
class Customer:
    id: strawberry.ID
    name: str = strawberry.federation.field(tags=_PII)
    email: str = strawberry.federation.field(tags=_PII)
    phone: str | None = strawberry.federation.field(tags=_PII)
    tier: CustomerTier  # type: ignore[valid-type]
    tags: list[str] = strawberry.field(description="Segments the customer belongs to.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: model.Customer) -> Customer:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            name=row.name,
            email=row.email,
            phone=row.phone,
            tier=row.tier,
            tags=list(row.tags),
            created_at=row.created_at,
        )

    @strawberry.field
    async def addresses(self, info: Info[Any, Any]) -> list[Address]:
        rows = await context_of(info).loader(loaders.addresses_by_customer).load(int(self.id))
        return [Address.from_row(row) for row in rows]

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Customer | None:
        """Another customer's profile is FORBIDDEN before any SQL (so also one that does
        not exist: no oracle)."""
        customer_id = parse_id(id)
        CUSTOMER_PROFILES.check(customer_id, f"read customer {customer_id}")
        row = await context_of(info).loader(loaders.customers_by_id).load(customer_id)
        return None if row is None else cls.from_row(row)


@strawberry.input
class CustomerFilter:
    tier: CustomerTier | None = None  # type: ignore[valid-type]
    tag: str | None = strawberry.field(default=None, description="Customers with this tag.")
    search: str | None = strawberry.federation.field(
        default=None,
        description="Case-insensitive match on name or email (personal data: needs pii:read).",
        tags=_PII,
    )


@strawberry.input
class AddressInput:
    kind: AddressKind  # type: ignore[valid-type]
    line1: str
    city: str
    postal_code: str
    country: str


@strawberry.input
class CreateCustomerInput:
    name: str
    email: str
    phone: str | None = None
    tier: CustomerTier = model.CustomerTier.BRONZE  # type: ignore[valid-type]
    tags: list[str] = strawberry.field(default_factory=list)
    addresses: list[AddressInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateCustomerInput:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    tier: CustomerTier | None = strawberry.UNSET  # type: ignore[valid-type]
    tags: list[str] | None = strawberry.UNSET
