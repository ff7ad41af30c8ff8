"""Queries and mutations of the customers subgraph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy import Select, String, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON
from strawberry.types import Info

from models import customers as model
from subgraphs.common.access import CUSTOMER_PROFILES, CUSTOMER_UPDATES
from subgraphs.common.access_directives import (
    BULK_CUSTOMERS_READ,
    CUSTOMER_UPDATE,
    CUSTOMERS_READ,
    CUSTOMERS_WRITE,
    GDPR_MANAGE,
)
from subgraphs.common.audit_report import report_of
from subgraphs.common.context import context_of
from subgraphs.common.erasure import require_gdpr_scope
from subgraphs.common.errors import BadUserInput, Conflict, NotFound
from subgraphs.common.identity import current_identity
from subgraphs.common.ids import parse_id
from subgraphs.common.like import ESCAPE, contains
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    First,
    Last,
    list_connection,
    page_request,
)
from subgraphs.common.schema import build_schema
from subgraphs.customers import erasure, outbox, personal_data, validation
from subgraphs.customers.erasure_types import ErasureRequest
from subgraphs.customers.sorting import CustomerSort, customer_sort
from subgraphs.customers.types import (
    AddressInput,
    CreateCustomerInput,
    Customer,
    CustomerFilter,
    UpdateCustomerInput,
)

__all__ = ["Mutation", "Query", "schema"]

T = TypeVar("T")


def _filtered(statement: Select[Any], where: CustomerFilter | None) -> Select[Any]:
    if where is None:
        return statement
    if where.tier is not None:
        statement = statement.where(model.Customer.tier == where.tier)
    if where.search:
        pattern = contains(where.search.strip().lower())
        statement = statement.where(
            or_(
                func.lower(model.Customer.name).like(pattern, escape=ESCAPE),
                model.Customer.email.like(pattern, escape=ESCAPE),
            )
        )
    if where.tag:
        # Tags are few and stored as JSON; match the quoted value, portable across dialects.
        tags = validation.clean_tags([where.tag])
        if not tags:
            return statement.where(false())
        quoted = contains(f'"{tags[0]}"')
        statement = statement.where(
            func.cast(model.Customer.tags, String).like(quoted, escape=ESCAPE)
        )
    return statement


@strawberry.type
class Query:
    @strawberry.field(
        description="One customer by id, or null when there is none.", directives=CUSTOMERS_READ
    )
    async def customer(self, info: Info[Any, Any], id: strawberry.ID) -> Customer | None:
        return await Customer.resolve_reference(info, id)

    @strawberry.field(
        description="Customers, a page at a time; by ascending id unless `orderBy`.",
        directives=[*CONNECTION_DIRECTIVES, *BULK_CUSTOMERS_READ],
    )
    async def customers(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: CustomerFilter | None = None,
        order_by: CustomerSort | None = None,
    ) -> Connection[Customer]:
        sort = customer_sort(order_by)
        page = page_request("customers", sort, first=first, after=after, last=last, before=before)
        statement = CUSTOMER_PROFILES.restrict(
            _filtered(select(model.Customer), filter), model.Customer.id
        )
        database = context_of(info).database
        return await list_connection(
            database, statement, "customers", sort, page, Customer.from_row
        )

    @strawberry.federation.field(
        directives=GDPR_MANAGE,
        description="Everything every domain holds about a customer, as one JSON document "
        "(GDPR/PIPL access request); SERVICE_UNAVAILABLE when a domain cannot answer.",
    )
    async def export_customer_data(self, info: Info[Any, Any], customer_id: strawberry.ID) -> JSON:
        require_gdpr_scope()
        context = context_of(info)
        document = await personal_data.export_customer_data(
            context.database, context.peers, parse_id(customer_id, "customerId")
        )
        report = report_of(context)
        if report is not None:
            personal_data.report_export(report, document)
        return JSON(document)

    @strawberry.federation.field(
        directives=GDPR_MANAGE, description="An erasure request and its progress per domain."
    )
    async def erasure_request(
        self, info: Info[Any, Any], id: strawberry.ID
    ) -> ErasureRequest | None:
        require_gdpr_scope()
        row = await erasure.load_request(context_of(info).database, parse_id(id))
        return None if row is None else ErasureRequest.from_row(row)


def _address_rows(addresses: list[AddressInput]) -> list[model.Address]:
    return [
        model.Address(
            kind=address.kind,
            line1=address.line1.strip(),
            city=address.city.strip(),
            postal_code=address.postal_code.strip(),
            country=validation.clean_country(address.country),
        )
        for address in addresses
    ]


async def _ensure_email_free(session: AsyncSession, email: str, owner: int | None = None) -> None:
    holder = await session.scalar(select(model.Customer.id).where(model.Customer.email == email))
    if holder is not None and holder != owner:
        raise Conflict(f"Email {email!r} is already used by another customer", field="email")


async def _commit(session: AsyncSession, email: str, stage: Callable[[], None]) -> None:
    """Flush, ``stage`` the change's event, commit; a lost race on the unique email is the
    same CONFLICT."""
    try:
        await session.flush()
        stage()
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        raise Conflict(
            f"Email {email!r} is already used by another customer", field="email"
        ) from error


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a customer; the email must be valid and unused.",
        directives=CUSTOMERS_WRITE,
    )
    async def create_customer(self, info: Info[Any, Any], input: CreateCustomerInput) -> Customer:
        row = model.Customer(
            name=validation.clean_name(input.name),
            email=validation.clean_email(input.email),
            phone=validation.clean_phone(input.phone),
            tier=input.tier,
            tags=validation.clean_tags(input.tags),
            addresses=_address_rows(input.addresses),
        )
        async with context_of(info).database.sessions() as session:
            await _ensure_email_free(session, row.email)
            session.add(row)
            await _commit(session, row.email, lambda: outbox.stage_registered(session, row))
        return Customer.from_row(row)

    @strawberry.mutation(
        description="Change some of a customer's fields.", directives=CUSTOMER_UPDATE
    )
    async def update_customer(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateCustomerInput
    ) -> Customer:
        customer_id = parse_id(id)
        CUSTOMER_UPDATES.check(customer_id, f"update customer {customer_id}")
        async with context_of(info).database.sessions() as session:
            row = await session.get(model.Customer, customer_id)
            if row is None:
                raise NotFound(f"No customer with id {id}", id=str(id))
            before = outbox.snapshot(row)
            if input.name is not strawberry.UNSET:
                row.name = validation.clean_name(_required(input.name, "name"))
            if input.email is not strawberry.UNSET:
                email = validation.clean_email(_required(input.email, "email"))
                await _ensure_email_free(session, email, owner=row.id)
                row.email = email
            if input.phone is not strawberry.UNSET:
                row.phone = validation.clean_phone(input.phone)
            if input.tier is not strawberry.UNSET:
                row.tier = _required(input.tier, "tier")
            if input.tags is not strawberry.UNSET:
                row.tags = validation.clean_tags(input.tags or [])
            await _commit(
                session, row.email, lambda: outbox.stage_updated(session, row, before, "API")
            )
        return Customer.from_row(row)

    @strawberry.federation.mutation(
        directives=GDPR_MANAGE,
        description="Erase the customer's personal data in every domain (GDPR/PIPL): the "
        "customer is deleted, orders are kept for accounting but unlinked, marketing facts "
        "unlinked. A domain that is down finishes when it is back (see `domains`). "
        "Idempotent: calling again returns the same request.",
    )
    async def erase_customer(
        self, info: Info[Any, Any], customer_id: strawberry.ID
    ) -> ErasureRequest:
        require_gdpr_scope()
        context = context_of(info)
        request_id = await erasure.request_erasure(
            context.database,
            context.peers,
            parse_id(customer_id, "customerId"),
            _requester(),
            erasure.RetryPolicy(),
        )
        row = await erasure.load_request(context.database, request_id)
        if row is None:  # deleted between the two statements: never, short of manual SQL
            raise NotFound(f"No erasure request {request_id}", id=str(request_id))
        return ErasureRequest.from_row(row)


def _requester() -> str:
    """Who asked, for the request's record: ``kind:subject-or-client``."""
    identity = current_identity()
    return f"{identity.kind}:{identity.subject or identity.client_id or '-'}"[:200]


def _required(value: T | None, field: str) -> T:
    if value is None:
        raise BadUserInput(f"`{field}` cannot be null", field=field)
    return value


schema = build_schema(query=Query, mutation=Mutation, types=[Customer, ErasureRequest])
