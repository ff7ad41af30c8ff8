"""The router facade used by the HTTP server: prepare (no I/O), execute, explain.

``prepare`` parses and validates against the API schema (cached per query text), picks the
operation, coerces variables, then normalises and plans (cached per query text, operation
name and ``@skip``/``@include`` values, in an LRU). ``execute`` runs the plan, answers
introspection from the API schema itself, and shapes the response.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import os
from collections.abc import Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import httpx
from graphql import DocumentNode, GraphQLSchema, execute_sync

from router.authorization.authorizer import Authorizer, unauthorized_errors
from router.authorization.config import AuthorizationConfig
from router.authorization.needs import NO_NEEDS, Needs
from router.authorization.requirements import AccessRequirements, Grant
from router.byte_cache import ByteBoundedLRU
from router.demand_control import DemandControl, DemandControlConfig
from router.execution import execute_plan
from router.graphql_js import js_introspection
from router.limits import OperationLimits, check_document_size
from router.operation import (
    NormalizedOperation,
    coerce_variables,
    condition_key,
    condition_variables,
    limit_error,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.plan import QueryPlan, format_plan
from router.planning import PlanningError, QueryPlanner
from router.planning.coverage import check_plan_coverage, describe_gaps
from router.request import GraphQLRequest, OperationKind, RequestError, RequestErrorKind
from router.response_coverage import ResponseCoverageError, check_response_coverage
from router.response_shaping import ShapingSchema, shape_response
from router.security.identity import ANONYMOUS, Identity
from router.subgraph_client import DEFAULT_MAX_RESPONSE_BYTES, SubgraphClients
from router.supergraph import Supergraph
from router.telemetry.record import note_errors, note_operation, note_plan_cache, phase_span
from router.traffic_shaping import TrafficShapingConfig, subgraph_shaping

__all__ = [
    "CHECK_COVERAGE_VARIABLE",
    "DEFAULT_CACHE_BYTES",
    "DEFAULT_MAX_CACHED_QUERY_BYTES",
    "ENTRY_BYTES_PER_QUERY_BYTE",
    "PreparedOperation",
    "ResponseChecks",
    "Router",
    "explain",
]

_log = logging.getLogger(__name__)

# responses whose subgraph bodies add up to more than this are shaped in a worker thread
SHAPE_OFF_LOOP_BYTES = 256 * 1024

ResponseChecks = Literal["off", "report", "raise"]
# "raise" for the test suites (tests/conftest.py sets it): every response is checked
CHECK_COVERAGE_VARIABLE = "ROUTER_CHECK_COVERAGE"


def _response_checks_from_environment() -> ResponseChecks:
    """``ROUTER_CHECK_COVERAGE``: ``1``/``raise`` raises, ``report`` logs and adds errors."""
    value = os.environ.get(CHECK_COVERAGE_VARIABLE, "")
    if value in ("1", "raise"):
        return "raise"
    return "report" if value == "report" else "off"


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    kind: OperationKind
    operation_name: str | None
    operation: NormalizedOperation
    plan: QueryPlan
    variables: Mapping[str, Any]
    # demand control's estimate (router.demand_control), None when it is off
    estimated_cost: float | None = None
    # one UNAUTHORIZED_FIELD_OR_TYPE error per path router.authorization removed; ``plan``
    # answers the operation without them, ``operation`` (what the client asked) shapes
    # the response, so each removed field is null
    authorization_errors: tuple[Mapping[str, Any], ...] = ()


# the normalized operation, the part of it the caller may see, its plan, the error to answer
# instead (gaps in the plan, or an unauthorized operation in reject mode), and the
# authorization errors of the removed paths
_PlanEntry = tuple[
    NormalizedOperation,
    NormalizedOperation,
    QueryPlan,
    RequestError | None,
    tuple[Mapping[str, Any], ...],
]
_DocumentEntry = tuple[DocumentNode | RequestError, tuple[str, ...], Needs]
_PlanKey = tuple[str, str | None, tuple[bool, ...], Grant | None]


class _Unknown:
    """The caller's grant is not known yet (its document was not cached)."""


_UNKNOWN = _Unknown()


def _request_error(kind: RequestErrorKind, message: str, code: str | None = None) -> RequestError:
    return RequestError(kind, ({"message": message, "extensions": {"code": code or kind.value}},))


# What a cached document or plan holds, per byte of query text: the AST, the normalised
# operation and the plan weigh many times the text (measured with tracemalloc on the
# fleet: 135-170 bytes per byte of text for both caches; tests/hostile checks the bound).
ENTRY_BYTES_PER_QUERY_BYTE = 160
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
# a query text over this is prepared every time it is sent (it would crowd out the rest)
DEFAULT_MAX_CACHED_QUERY_BYTES = 32 * 1024


_NO_LIMITS = OperationLimits.unlimited()


def _weight(query: str) -> int:
    return (len(query) + 64) * ENTRY_BYTES_PER_QUERY_BYTE


class _Preparer:
    """Thread-safe for one planning thread: the caches lock, the planner runs in one place."""

    def __init__(
        self,
        supergraph: Supergraph,
        cache_size: int,
        *,
        limits: OperationLimits | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        max_cached_query_bytes: int = DEFAULT_MAX_CACHED_QUERY_BYTES,
        demand_control: DemandControl | None = None,
        authorizer: Authorizer | None = None,
    ) -> None:
        """``authorizer`` None plans every operation whole (``explain``: no data flows)."""
        self.supergraph = supergraph
        self.demand_control = demand_control
        self.authorizer = authorizer
        self.planner = QueryPlanner(supergraph)
        self.limits = limits or OperationLimits()
        self.max_cached_query_bytes = max_cached_query_bytes
        max_entry = _weight("x" * max_cached_query_bytes)
        # half of the bytes each: a flood of invalid documents cannot evict every plan
        # keyed by the query text, or by the SHA-256 of a large refused one
        self.documents: ByteBoundedLRU[str | bytes, _DocumentEntry]
        self.documents = ByteBoundedLRU(cache_bytes // 2, max_entry, cache_size)
        self.plans: ByteBoundedLRU[_PlanKey, _PlanEntry]
        self.plans = ByteBoundedLRU(cache_bytes // 2, max_entry, cache_size)

    def document(self, query: str) -> _DocumentEntry:
        """Cached by text; a text too large to cache is remembered by its SHA-256 when it is
        refused, so that sending a large hostile document again costs a hash, not a parse."""
        oversized = check_document_size(query, self.limits)
        if oversized is not None:  # refused at once: not even hashed
            return limit_error(oversized), (), NO_NEEDS
        key = self._document_key(query)
        entry = self.documents.get(key)
        if entry is None:
            document = parse_and_validate(self.supergraph.api_schema, query, self.limits)
            names: tuple[str, ...] = ()
            needs = NO_NEEDS
            if isinstance(document, DocumentNode):
                names = condition_variables(document)
                if self.authorizer is not None:
                    needs = self.authorizer.needs(document, self.supergraph.api_schema)
            entry = (document, names, needs)
            if isinstance(document, RequestError):  # the key and the errors, no AST
                refused = len(key) + len(repr(document.errors))
                self.documents.put(key, entry, refused)
            elif isinstance(key, str):
                self.documents.put(query, entry, _weight(query))
        return entry

    def grant(self, needs: Needs, identity: Identity) -> Grant | None:
        return None if self.authorizer is None else self.authorizer.grant(needs, identity)

    def is_cached(self, request: GraphQLRequest, identity: Identity = ANONYMOUS) -> bool:
        """Whether the document and a plan for ``request`` by ``identity`` are cached
        (then ``prepare`` only coerces variables)."""
        return self.lookup(request, identity)[0]

    def lookup(
        self, request: GraphQLRequest, identity: Identity = ANONYMOUS
    ) -> tuple[bool, Grant | _Unknown | None]:
        """:meth:`is_cached`, and the caller's grant when the document is cached (so that
        ``prepare`` does not ask the policy hook again)."""
        if check_document_size(request.query, self.limits) is not None:
            return True, None  # prepare refuses it at once
        entry = self.documents.get(self._document_key(request.query))
        if entry is None:
            return False, _UNKNOWN
        document, names, needs = entry
        if isinstance(document, RequestError):
            return True, None
        variables = request.variables or {}
        grant = self.grant(needs, identity)
        key = (request.query, request.operation_name, condition_key(names, variables), grant)
        return self.plans.get(key) is not None, grant

    def _document_key(self, query: str) -> str | bytes:
        """The text itself, or the SHA-256 of a text too large to cache."""
        if len(query) > self.max_cached_query_bytes:
            return hashlib.sha256(query.encode("utf-8", "surrogatepass")).digest()
        return query

    def coverage_error(
        self, request: GraphQLRequest, operation: NormalizedOperation, plan: QueryPlan
    ) -> RequestError | None:
        """A plan that cannot deliver some selected field is a planner bug: refuse to run it
        rather than answer wrong data (see :mod:`router.planning.coverage`)."""
        gaps = check_plan_coverage(operation, plan, self.supergraph)
        if not gaps:
            return None
        _log.error(
            "query plan coverage gaps (planner bug), refusing to execute %r:\n%s\n%s",
            request.query,
            "\n".join(str(gap) for gap in gaps),
            format_plan(plan),
        )
        return _request_error(RequestErrorKind.PLANNING, describe_gaps(gaps))

    def prepare(
        self,
        request: GraphQLRequest,
        identity: Identity = ANONYMOUS,
        *,
        coerce: bool = True,
        grant: Grant | _Unknown | None = _UNKNOWN,
    ) -> PreparedOperation | RequestError:
        """``coerce=False`` plans without checking variables (missing conditions are false);
        ``grant``: the caller's, when :meth:`is_cached` computed it."""
        with phase_span("graphql.parse_validate"):
            document, names, needs = self.document(request.query)
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
        if isinstance(grant, _Unknown):
            grant = self.grant(needs, identity)
        key = (request.query, request.operation_name, condition_key(names, variables), grant)
        entry = self.plans.get(key)
        note_plan_cache(entry is not None)
        estimated: float | RequestError | None = None
        if entry is None:
            operation = normalize(schema, document, definition, variables)
            filtered = operation
            errors: tuple[Mapping[str, Any], ...] = ()
            if self.authorizer is not None:
                result = self.authorizer.filter(operation, grant)
                filtered, errors = result.operation, unauthorized_errors(result.removed)
            refusal = self.refusal(errors)
            if refusal is not None:  # reject mode: nothing is planned or run
                entry = (operation, filtered, QueryPlan(None), refusal, errors)
                self.plans.put(key, entry, _weight(request.query))
                return refusal
            estimated = self.cost_rejection(key, filtered, variables)
            if isinstance(estimated, RequestError):
                return estimated  # before planning: a refused operation costs no plan
            with phase_span("graphql.plan"):
                planned = self.plan(request, filtered)
            if isinstance(planned, RequestError):
                return planned
            entry = (operation, filtered, *planned, errors)
            self.plans.put(key, entry, _weight(request.query))
        else:
            if entry[3] is not None:
                return entry[3]
            estimated = self.cost_rejection(key, entry[1], variables)
            if isinstance(estimated, RequestError):
                return estimated
        operation, _, plan, refused, errors = entry
        if refused is not None:
            return refused
        return PreparedOperation(
            operation.kind,
            operation.name,
            operation,
            plan,
            dict(request.variables or {}),
            estimated,
            errors,
        )

    def refusal(self, errors: tuple[Mapping[str, Any], ...]) -> RequestError | None:
        """Reject mode's answer to an operation that asked for anything unauthorized."""
        if not errors or self.authorizer is None:
            return None
        if not self.authorizer.config.reject_unauthorized:
            return None
        return RequestError(RequestErrorKind.UNAUTHORIZED, errors)

    def plan(
        self, request: GraphQLRequest, operation: NormalizedOperation
    ) -> tuple[QueryPlan, RequestError | None] | RequestError:
        """The plan and its coverage error; an operation left empty needs no fetch."""
        if not operation.selections:
            return QueryPlan(None), None
        try:
            plan = self.planner.plan(operation)
        except PlanningError as error:
            return _request_error(RequestErrorKind.PLANNING, str(error))
        except Exception:  # a planner bug: the client gets a stable code, the log the rest
            _log.exception("query planning failed")
            return _request_error(RequestErrorKind.PLANNING, "The query could not be planned.")
        return plan, self.coverage_error(request, operation, plan)

    def cost_rejection(
        self, key: Hashable, operation: NormalizedOperation, variables: Mapping[str, Any]
    ) -> float | RequestError | None:
        """The estimated cost, or the error refusing it (demand control's ``enforce``)."""
        if self.demand_control is None:
            return None
        estimate = self.demand_control.estimate_cached(key, operation, variables)
        error = self.demand_control.rejection(estimate)
        if error is not None:
            _log.info("operation refused: %s", error["message"])
            return RequestError(RequestErrorKind.LIMIT, (error,))
        return estimate.cost


class Router:
    """Plans and executes client operations over the subgraphs of one supergraph."""

    def __init__(
        self,
        supergraph: Supergraph,
        clients: SubgraphClients,
        plan_cache_size: int,
        *,
        response_checks: ResponseChecks | None = None,
        limits: OperationLimits | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        request_timeout: float | None = None,
        demand_control: DemandControl | None = None,
        authorization: AuthorizationConfig | None = None,
    ) -> None:
        """``request_timeout``: seconds one client request may spend in subgraphs
        (each subgraph request also has the clients' own timeout); ``demand_control``
        estimates each operation's cost and may refuse it before planning. The
        supergraph's authorization directives are always enforced (``authorization``
        only picks the mode, see :mod:`router.authorization`)."""
        self.supergraph = supergraph
        self.demand_control = demand_control
        self.request_timeout = request_timeout
        self.api_schema: GraphQLSchema = supergraph.api_schema
        self.clients = clients
        self.response_checks = response_checks or _response_checks_from_environment()
        self.authorizer = Authorizer(
            AccessRequirements.from_supergraph(supergraph.schema, supergraph.possible_types),
            authorization,
        )
        self._preparer = _Preparer(
            supergraph,
            plan_cache_size,
            limits=limits,
            cache_bytes=cache_bytes,
            demand_control=demand_control,
            authorizer=self.authorizer,
        )
        # parse/validate/normalise/plan of uncached operations: one thread, so the planner
        # never runs twice at once and the event loop keeps answering meanwhile
        self._planning = ThreadPoolExecutor(1, thread_name_prefix="router-planning")
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
        response_checks: ResponseChecks | None = None,
        limits: OperationLimits | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        request_timeout: float | None = None,
        demand_control: DemandControlConfig | None = None,
        traffic_shaping: TrafficShapingConfig | None = None,
        authorization: AuthorizationConfig | None = None,
        clients: SubgraphClients | None = None,
    ) -> Router:
        """``traffic_shaping`` names unknown subgraphs: ValueError. ``clients``: reuse a
        running router's (a hot reload); the supergraph must then have the same subgraphs."""
        supergraph = Supergraph.from_sdl(sdl)
        if clients is not None:
            _check_same_subgraphs(supergraph, clients)
        control = None
        if demand_control is not None:
            control = DemandControl.from_config(demand_control, supergraph.schema)
        urls = {name: sub.url for name, sub in supergraph.subgraphs.items()}
        urls.update(subgraph_urls or {})
        shaping = subgraph_shaping(traffic_shaping or TrafficShapingConfig(), urls)
        if clients is None:
            clients = SubgraphClients(
                urls,
                transport=transport,
                timeout=timeout,
                max_response_bytes=max_response_bytes,
                shaping=shaping,
            )
        return cls(
            supergraph,
            clients,
            plan_cache_size,
            response_checks=response_checks,
            limits=limits,
            cache_bytes=cache_bytes,
            request_timeout=request_timeout,
            demand_control=control,
            authorization=authorization,
        )

    def prepare(
        self, request: GraphQLRequest, identity: Identity = ANONYMOUS
    ) -> PreparedOperation | RequestError:
        """Prepare ``request`` for ``identity`` (anonymous unless given: what it may not
        see is removed, see :mod:`router.authorization`)."""
        return _noted(request, self._preparer.prepare(request, identity))

    async def prepare_async(
        self, request: GraphQLRequest, identity: Identity = ANONYMOUS
    ) -> PreparedOperation | RequestError:
        """``prepare`` on the event loop when cached (variables only), else in the planning
        thread: a large or hostile document never holds the loop."""
        cached, grant = self._preparer.lookup(request, identity)
        if cached:
            return _noted(request, self._preparer.prepare(request, identity, grant=grant))
        loop = asyncio.get_running_loop()
        # in this request's context: its spans and telemetry record (router.telemetry)
        run = contextvars.copy_context().run
        return await loop.run_in_executor(self._planning, run, self.prepare, request, identity)

    async def execute(
        self, prepared: PreparedOperation, *, root_answer: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The wire-format response body; never raises. ``root_answer``: the answer of the
        plan's first fetch, already received (a subscription's event,
        :mod:`router.subscriptions`): the rest of the plan runs on it."""
        try:
            result = await self._execute(prepared, root_answer)
            note_errors(len(result.get("errors") or ()))
            return result
        except ResponseCoverageError:
            raise  # asked for (tests): a silent wrong answer must fail loudly
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

    async def _execute(
        self, prepared: PreparedOperation, root_answer: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        null_entities: list[list[str | int]] = []
        with self.clients.request_scope(self.request_timeout) as received:
            data, errors = await execute_plan(
                prepared.plan,
                self.clients,
                prepared.variables,
                null_entities,
                root_answer=root_answer,
            )
        introspection = None
        if prepared.operation.introspection is not None:
            introspection = await asyncio.to_thread(self._introspection, prepared)
        shape = partial(shape_response, self._shaping, prepared.operation, data, introspection)
        with phase_span("router.shape_response"):
            if received.bytes > SHAPE_OFF_LOOP_BYTES or introspection is not None:
                shaped, shaping_errors = await asyncio.to_thread(shape)
            else:
                shaped, shaping_errors = shape()
        if prepared.authorization_errors:
            errors[:0] = (dict(error) for error in prepared.authorization_errors)
        if self.response_checks != "off":
            every_error = errors + shaping_errors
            errors.extend(self._check_response(prepared, data, shaped, every_error, null_entities))
        if errors:
            return {"errors": errors, "data": shaped}
        body: dict[str, Any] = {"data": shaped}
        if shaping_errors:
            body["extensions"] = {"valueCompletion": shaping_errors}
        return body

    def _check_response(
        self,
        prepared: PreparedOperation,
        data: Mapping[str, Any],
        shaped: Mapping[str, Any] | None,
        errors: list[dict[str, Any]],
        null_entities: list[list[str | int]],
    ) -> list[dict[str, Any]]:
        """The coverage check of a response: raise, or log and return one error per
        violation so that a made-up null is at least not silent."""
        violations = check_response_coverage(
            self._shaping, prepared.operation, data, shaped, errors, null_entities
        )
        if not violations:
            return []
        if self.response_checks == "raise":
            raise ResponseCoverageError(violations)
        _log.error(
            "response coverage violations (router bug) for %s:\n%s\n%s",
            prepared.operation_name or "an anonymous operation",
            "\n".join(str(v) for v in violations),
            format_plan(prepared.plan),
        )
        return [
            {
                "message": "The router could not deliver this field",
                "path": list(violation.path),
                "extensions": {"code": "RESPONSE_COVERAGE_VIOLATION"},
            }
            for violation in violations
        ]

    def _introspection(self, prepared: PreparedOperation) -> Mapping[str, Any] | None:
        document = prepared.operation.introspection
        if document is None:
            return None
        result = execute_sync(
            self.api_schema, document, root_value={}, variable_values=dict(prepared.variables)
        )
        return js_introspection(result.data or {})  # type: ignore[no-any-return]

    def cost_extension(
        self, prepared: PreparedOperation, result: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """``extensions.cost`` of ``result``: the estimate and the actual cost counted on
        the response (None when demand control is off)."""
        if self.demand_control is None or prepared.estimated_cost is None:
            return None
        control = self.demand_control
        actual = control.actual(prepared.operation, prepared.variables, result.get("data"))
        return {
            "estimated": prepared.estimated_cost,
            "actual": actual,
            "max": control.max_cost,
            "mode": control.mode,
        }

    def explain(self, prepared: PreparedOperation) -> str:
        return format_plan(prepared.plan)

    async def aclose(self) -> None:
        self._planning.shutdown(wait=False, cancel_futures=True)
        await self.clients.aclose()


def _check_same_subgraphs(supergraph: Supergraph, clients: SubgraphClients) -> None:
    if set(supergraph.subgraphs) != set(clients.urls):
        raise ValueError(
            f"the supergraph's subgraphs ({', '.join(sorted(supergraph.subgraphs))}) are not "
            f"the running ones ({', '.join(sorted(clients.urls))}): restart the router to "
            "add or remove a subgraph"
        )


def _noted(
    request: GraphQLRequest, prepared: PreparedOperation | RequestError
) -> PreparedOperation | RequestError:
    """``prepared``, its operation name and errors noted for telemetry (router.telemetry)."""
    if isinstance(prepared, RequestError):
        note_operation(request.operation_name)
        note_errors(len(prepared.errors))
    else:
        note_operation(prepared.operation_name)
    return prepared


def explain(
    supergraph_sdl: str,
    query: str,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> str:
    """Print the query plan of ``query`` (raises ValueError when it cannot be planned).

    Variables only matter to ``@skip``/``@include``; required ones may be left out.
    """
    preparer = _Preparer(Supergraph.from_sdl(supergraph_sdl), 1, limits=_NO_LIMITS)
    request = GraphQLRequest(query=query, operation_name=operation_name, variables=variables)
    prepared = preparer.prepare(request, coerce=False)
    if isinstance(prepared, RequestError):
        raise ValueError("; ".join(str(e.get("message")) for e in prepared.errors))
    return format_plan(prepared.plan)
