"""Which requests get a record, and what goes into it: names and ids, never values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from router.audit.record import (
    AuditRecord,
    AuditTrail,
    Caller,
    audit_record,
    audit_trail,
    collect_report,
)

CALLER = Caller("user", "staff-1", "back-office")
PII_REPORT = {"pii": [{"type": "Customer", "id": "42", "fields": ["email", "Address.line1"]}]}


def _record(
    operation_type: str, trail: AuditTrail, result: Mapping[str, Any] | None = None
) -> AuditRecord | None:
    return audit_record(
        CALLER,
        operation_type=operation_type,
        operation_name="Op",
        query="{ x }",
        root_fields=("placeOrder",),
        result=result or {"data": {}},
        trail=trail,
    )


def test_a_query_without_unmasked_personal_data_has_no_record() -> None:
    assert _record("query", AuditTrail()) is None


def test_subgraph_reports_are_taken_out_of_the_response_into_the_trail() -> None:
    response = {"data": {}, "extensions": {"audit": PII_REPORT, "other": 1}}
    with audit_trail() as trail:
        collect_report(response)
    assert response["extensions"] == {"other": 1}
    record = _record("query", trail)
    assert record is not None
    assert record.fields == ("Customer.email", "Address.line1")
    assert record.entities == (("Customer", "42"),)


def test_a_mutation_is_recorded_even_when_no_subgraph_answered() -> None:
    failed = {"data": None, "errors": [{"message": "x", "extensions": {"code": "SUBGRAPH_ERROR"}}]}
    record = _record("mutation", AuditTrail(), failed)
    assert record is not None
    assert (record.fields, record.outcome, record.error_codes) == (
        ("Mutation.placeOrder",),
        "error",
        ("SUBGRAPH_ERROR",),
    )


def test_reports_outside_a_trail_are_still_stripped() -> None:
    response = {"data": {}, "extensions": {"audit": PII_REPORT}}
    collect_report(response)
    assert response["extensions"] == {}
