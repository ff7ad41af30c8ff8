"""The router facade used by the HTTP server: prepare (no I/O), execute, explain.

``prepare`` parses and validates against the API schema (cached per query text), picks the
operation, coerces variables, then normalises and plans (cached per query text, operation
name and ``@skip``/``@include`` values, in an LRU). ``execute`` runs the plan, answers
introspection from the API schema itself, and shapes the response.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from graphql import DocumentNode, GraphQLSchema, execute_sync

from router.execution import execute_plan
from router.graphql_js import js_introspection
from router.operation import (
    NormalizedOperation,
    coerce_variables,
    condition_key,
    condition_variables,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.plan import QueryPlan, format_plan
from router.planning import PlanningError, QueryPlanner
from router.request import GraphQLRequest, OperationKind, RequestError, RequestErrorKind
from router.response_shaping import ShapingSchema, shape_response
from router.subgraph_client import SubgraphClients
from router.supergraph import Supergraph

__all__ = ["PreparedOperation", "Router", "explain"]

_log = logging.getLogger(__name__)
_K = TypeVar("_K")
_V = TypeVar("_V")


class _LRU(Generic[_K, _V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: _K, value: _V) -> None:
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    kind: OperationKind
    operation_name: str | None
    operation: NormalizedOperation
    plan: QueryPlan
    variables: Mapping[str, Any]


def _request_error(kind: RequestErrorKind, message: str, code: str | None = None) -> RequestError:
    return RequestError(kind, ({"message": message, "extensions": {"code": code or kind.value}},))


class _Preparer:
    def __init__(self, supergraph: Supergraph, cache_size: int) -> None:
        self.supergraph = supergraph
        self.planner = QueryPlanner(supergraph)
        self.documents: _LRU[str, tuple[DocumentNode | RequestError, tuple[str, ...]]] = _LRU(
            cache_size
        )
        self.plans: _LRU[tuple[str, str | None, tuple[bool, ...]], tuple[Any, ...]] = _LRU(
            cache_size
        )

    def document(self, query: str) -> tuple[DocumentNode | RequestError, tuple[str, ...]]:
        entry = self.documents.get(query)
        if entry is None:
            document = parse_and_validate(self.supergraph.api_schema, query)
            names = condition_variables(document) if isinstance(document, DocumentNode) else ()
            entry = (document, names)
            self.documents.put(query, entry)
        return entry

    def prepare(
        self, request: GraphQLRequest, *, coerce: bool = True
    ) -> PreparedOperation | RequestError:
        """``coerce=False`` plans without checking variables (missing conditions are false)."""
        document, names = self.document(request.query)
        if isinstance(document, RequestError):
            return document
        definition = select_operation(self.supergraph.api_schema, document, request.operation_name)
        if isinstance(definition, RequestError):
            return definition
        schema = self.supergraph.api_schema
        variables: dict[str, Any] | RequestError = dict(request.variables or {})
        if coerce:
            variables = coerce_variables(schema, definition, request.variables)
        if isinstance(variables, RequestError):
            return variables
        key = (request.query, request.operation_name, condition_key(names, variables))
        entry = self.plans.get(key)
        if entry is None:
            operation = normalize(schema, document, definition, variables)
            if operation.kind is OperationKind.SUBSCRIPTION:
                return _request_error(
                    RequestErrorKind.VALIDATION, "Subscriptions are not supported by this router."
                )
            try:
                entry = (operation, self.planner.plan(operation))
            except PlanningError as error:
                return _request_error(RequestErrorKind.PLANNING, str(error))
            self.plans.put(key, entry)
        operation, plan = entry
        return PreparedOperation(
            operation.kind, operation.name, operation, plan, dict(request.variables or {})
        )


class Router:
    """Plans and executes client operations over the subgraphs of one supergraph."""

    def __init__(
        self, supergraph: Supergraph, clients: SubgraphClients, plan_cache_size: int
    ) -> None:
        self.supergraph = supergraph
        self.api_schema: GraphQLSchema = supergraph.api_schema
        self.clients = clients
        self._preparer = _Preparer(supergraph, plan_cache_size)
        self._shaping = ShapingSchema.of(supergraph.api_schema, supergraph.possible_types)

    @classmethod
    def from_supergraph_sdl(
        cls,
        sdl: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        subgraph_urls: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        plan_cache_size: int = 512,
    ) -> Router:
        supergraph = Supergraph.from_sdl(sdl)
        urls = {name: sub.url for name, sub in supergraph.subgraphs.items()}
        urls.update(subgraph_urls or {})
        clients = SubgraphClients(urls, transport=transport, timeout=timeout)
        return cls(supergraph, clients, plan_cache_size)

    def prepare(self, request: GraphQLRequest) -> PreparedOperation | RequestError:
        return self._preparer.prepare(request)

    async def execute(self, prepared: PreparedOperation) -> dict[str, Any]:
        """The wire-format response body; never raises."""
        try:
            return await self._execute(prepared)
        except Exception:  # a router bug must not turn into a 500 for the whole request
            _log.exception("query plan execution failed")
            return {
                "errors": [
                    {
                        "message": "Unexpected error during query plan execution",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                ],
                "data": None,
            }

    async def _execute(self, prepared: PreparedOperation) -> dict[str, Any]:
        data, errors = await execute_plan(prepared.plan, self.clients, prepared.variables)
        introspection = self._introspection(prepared)
        shaped, shaping_errors = shape_response(
            self._shaping, prepared.operation, data, introspection
        )
        if errors:
            return {"errors": errors, "data": shaped}
        body: dict[str, Any] = {"data": shaped}
        if shaping_errors:
            body["extensions"] = {"valueCompletion": shaping_errors}
        return body

    def _introspection(self, prepared: PreparedOperation) -> Mapping[str, Any] | None:
        document = prepared.operation.introspection
        if document is None:
            return None
        result = execute_sync(
            self.api_schema, document, root_value={}, variable_values=dict(prepared.variables)
        )
        return js_introspection(result.data or {})  # type: ignore[no-any-return]

    def explain(self, prepared: PreparedOperation) -> str:
        return format_plan(prepared.plan)

    async def aclose(self) -> None:
        await self.clients.aclose()


def explain(
    supergraph_sdl: str,
    query: str,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> str:
    """Print the query plan of ``query`` (raises ValueError when it cannot be planned).

    Variables only matter to ``@skip``/``@include``; required ones may be left out.
    """
    preparer = _Preparer(Supergraph.from_sdl(supergraph_sdl), 1)
    request = GraphQLRequest(query=query, operation_name=operation_name, variables=variables)
    prepared = preparer.prepare(request, coerce=False)
    if isinstance(prepared, RequestError):
        raise ValueError("; ".join(str(e.get("message")) for e in prepared.errors))
    return format_plan(prepared.plan)
