"""The row rules: who owns which customer's rows, and the SQL a list is restricted by."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from models.orders import Order
from subgraphs.common.access import (
    CUSTOMER_PROFILES,
    ORDER_CHANGES,
    ORDER_READS,
    Forbidden,
    owned_customer,
)
from subgraphs.common.identity import ANONYMOUS_CALLER, DEVELOPMENT_CALLER, CallerIdentity

CUSTOMER_7 = CallerIdentity("user", "7", "web", frozenset({"customer"}))
STAFF = CallerIdentity("user", "alice", "back-office", frozenset({"staff"}))
ORDERS_PARTNER = CallerIdentity("partner", "apikey:1", "acme", frozenset({"orders:read"}))
CATALOG_PARTNER = CallerIdentity("partner", "apikey:2", "acme", frozenset({"catalog:write"}))


def test_only_a_customer_token_owns_the_customer_its_subject_names() -> None:
    assert owned_customer(CUSTOMER_7) == 7
    assert owned_customer(CallerIdentity("user", "7", scopes=frozenset({"staff"}))) is None
    # a partner key never owns a customer, even with the customer scope and a numeric subject
    assert owned_customer(CallerIdentity("partner", "7", scopes=frozenset({"customer"}))) is None
    for subject in ("07", " 7", "7.0", "-7", "customer-7", "", None, "9" * 40):
        identity = CallerIdentity("user", subject, scopes=frozenset({"customer"}))
        assert owned_customer(identity) is None, subject


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (CUSTOMER_7, frozenset({7})),
        (STAFF, None),
        (DEVELOPMENT_CALLER, None),
        (ORDERS_PARTNER, None),
        (CATALOG_PARTNER, frozenset()),
        (ANONYMOUS_CALLER, frozenset()),
    ],
)
def test_which_customers_orders_each_caller_reads(
    identity: CallerIdentity, expected: frozenset[int] | None
) -> None:
    assert ORDER_READS.customer_ids(identity) == expected


def test_a_scope_opens_only_its_own_kind_of_rows() -> None:
    assert CUSTOMER_PROFILES.customer_ids(ORDERS_PARTNER) == frozenset()
    assert ORDER_CHANGES.customer_ids(ORDERS_PARTNER) == frozenset()


def test_check_refuses_another_customer_and_a_missing_row_alike() -> None:
    ORDER_READS.check(7, "read order 1", CUSTOMER_7)
    for owner in (8, None):  # None: no such row; the customer must not learn which
        with pytest.raises(Forbidden) as refused:
            ORDER_READS.check(owner, "read order 2", CUSTOMER_7)
        assert refused.value.extensions == {"code": "FORBIDDEN"}
        assert refused.value.message == "Not allowed to read order 2"
    ORDER_READS.check(None, "read order 3", STAFF)  # staff gets the plain null instead


def test_check_all_refuses_a_customer_even_on_its_own_rows() -> None:
    ORDER_CHANGES.check_all("change the status of order 1", STAFF)
    with pytest.raises(Forbidden):
        ORDER_CHANGES.check_all("change the status of order 1", CUSTOMER_7)


def _sql(identity: CallerIdentity, url: str) -> str:
    statement = ORDER_READS.restrict(select(Order.id), Order.customer_id, identity)
    dialect = create_engine(url).dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("dialect", "nothing"), [("sqlite://", "0 = 1"), ("postgresql+asyncpg://", "false")]
)
def test_lists_are_restricted_in_sql(dialect: str, nothing: str) -> None:
    assert "WHERE" not in _sql(STAFF, dialect)
    assert _sql(CUSTOMER_7, dialect).endswith("WHERE orders.customer_id IN (7)")
    assert _sql(CATALOG_PARTNER, dialect).endswith(f"WHERE {nothing}")
