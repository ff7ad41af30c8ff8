"""What one request touched, reported to the router's audit log in ``extensions.audit``.

The router owns the audit log (:mod:`router.audit`); a subgraph only says, in its GraphQL
response, what the request made it do::

    "extensions": {"audit": {
        "pii": [{"type": "Customer", "id": "42", "fields": ["email", "name"]}],
        "mutations": [{"field": "placeOrder", "type": "Order", "ids": ["981"]}]}}

``pii`` lists the personal data returned unmasked (filled by :mod:`subgraphs.common.pii`),
``mutations`` the Mutation root fields run, with the ids of what they returned (filled by
the wrappers :func:`report_mutations` puts on them when the schema is built; a failed one
reports no ids). Field names and ids only: never a value. The router strips the extension
before answering its client.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo, GraphQLSchema, default_field_resolver, get_named_type

__all__ = ["AUDIT_EXTENSION", "AuditReport", "report_mutations", "report_of"]

AUDIT_EXTENSION = "audit"


@dataclass(slots=True)
class AuditReport:
    """One request's report; empty for most queries (then nothing is added)."""

    pii: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)
    mutations: list[dict[str, Any]] = field(default_factory=list)

    def read_pii(self, type_name: str, entity_id: str | None, field_name: str) -> None:
        self.pii.setdefault((type_name, entity_id), set()).add(field_name)

    def mutated(self, field_name: str, type_name: str, ids: Iterable[str]) -> None:
        self.mutations.append({"field": field_name, "type": type_name, "ids": list(ids)})

    def extension(self) -> dict[str, Any] | None:
        """The ``extensions.audit`` value, or None when there is nothing to report."""
        if not self.pii and not self.mutations:
            return None
        out: dict[str, Any] = {}
        if self.pii:
            out["pii"] = [
                {"type": type_name, "id": entity_id, "fields": sorted(fields)}
                for (type_name, entity_id), fields in self.pii.items()
            ]
        if self.mutations:
            out["mutations"] = list(self.mutations)
        return out


def report_of(context: Any) -> AuditReport | None:
    """The report of the request being served (None outside the subgraph app)."""
    report = getattr(context, "audit", None)
    return report if isinstance(report, AuditReport) else None


def report_mutations(schema: GraphQLSchema) -> None:
    """Wrap each Mutation root field's resolver, once, to report it with its result's ids."""
    mutation = schema.mutation_type
    if mutation is None:
        return
    for name, root_field in mutation.fields.items():
        type_name = get_named_type(root_field.type).name
        resolve = root_field.resolve or default_field_resolver
        root_field.resolve = _reporting(name, type_name, resolve)


def _ids(result: Any, arguments: dict[str, Any]) -> list[str]:
    items = result if isinstance(result, list) else [result]
    ids = [str(item.id) for item in items if getattr(item, "id", None) is not None]
    if not ids and arguments.get("id") is not None:  # e.g. a count: the argument says which
        ids = [str(arguments["id"])]
    return ids


def _reporting(field_name: str, type_name: str, resolve: Any) -> Any:
    def record(info: GraphQLResolveInfo[Any], ids: list[str]) -> None:
        report = report_of(info.context)
        if report is not None:
            report.mutated(field_name, type_name, ids)

    async def later(info: GraphQLResolveInfo[Any], pending: Awaitable[Any], arguments: Any) -> Any:
        try:
            result = await pending
        except BaseException:
            record(info, [])
            raise
        record(info, _ids(result, arguments))
        return result

    def resolve_reported(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        try:
            result = resolve(source, info, **arguments)
        except BaseException:
            record(info, [])
            raise
        if inspect.isawaitable(result):
            return later(info, result, arguments)
        record(info, _ids(result, arguments))
        return result

    return resolve_reported
