"""One subscription's life in the router, and the registry of every open one.

:meth:`SubscriptionHub.stream` prepares the operation for the caller (authorization
included), opens the plan's root fetch on its subgraph (:mod:`.upstream`) and turns each
event into a response by running the rest of the plan on it
(``Router.execute(prepared, root_answer=event)``): entity fields come from the other
subgraphs with the caller's identity, signed again for each event. A query or mutation sent
the same way is answered once.

Every open subscription is registered: per client (``max_per_client``), and ended with
one last error by :meth:`SubscriptionHub.use_router` (``SUBSCRIPTION_SCHEMA_RELOAD``) and
:meth:`SubscriptionHub.aclose` (``SUBSCRIPTION_SERVER_SHUTDOWN``). A credential that
expires ends its subscriptions with ``UNAUTHENTICATED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from router.pipeline import PreparedOperation, Router
from router.plan import Fetch, QueryPlan
from router.plan import Sequence as PlanSequence
from router.request import GraphQLRequest, OperationKind, RequestError
from router.security.bearer import InvalidCredential
from router.security.identity import ANONYMOUS, Identity
from router.security.middleware import RouterSecurity
from router.subgraph_client import SUBGRAPH_REQUEST_HEADERS
from router.subscriptions.limits import SubscriptionLimits
from router.subscriptions.upstream import UpstreamError, subscribe_upstream

__all__ = ["SubscriptionHub", "SubscriptionRefused", "Upstream", "root_fetch"]

_log = logging.getLogger(__name__)

Upstream = Callable[..., AsyncIterator[dict[str, Any]]]
_END = object()


class SubscriptionRefused(Exception):
    """The operation cannot start: its errors (a WebSocket ``error`` message)."""

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(errors[0].get("message") if errors else "refused")
        self.errors = [dict(error) for error in errors]


def _error(message: str, *, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


def root_fetch(plan: QueryPlan) -> Fetch | None:
    """The fetch a subscription's plan starts with (the subscription itself)."""
    node = plan.node
    if isinstance(node, PlanSequence) and node.nodes:
        node = node.nodes[0]
    if isinstance(node, Fetch) and node.operation.startswith("subscription"):
        return node
    return None


class _Open:
    """One open subscription: its queue of responses to send, and how to end it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.pump: asyncio.Task[None] | None = None

    def end(self, error: Mapping[str, Any] | None) -> None:
        if self.pump is not None:
            self.pump.cancel()
        if error is not None:
            self.queue.put_nowait({"data": None, "errors": [dict(error)]})
        self.queue.put_nowait(_END)


class SubscriptionHub:
    def __init__(
        self,
        router: Router,
        security: RouterSecurity | None = None,
        limits: SubscriptionLimits | None = None,
        *,
        upstream: Upstream = subscribe_upstream,
    ) -> None:
        self.router = router
        self.security = security
        self.limits = limits or SubscriptionLimits()
        self._upstream = upstream
        self._open: set[_Open] = set()
        self._per_client: Counter[str] = Counter()
        self._closers: set[Callable[[], Awaitable[None]]] = set()
        self.closed = False

    @property
    def open_count(self) -> int:
        return len(self._open)

    def use_router(self, router: Router) -> None:
        """A new supergraph: subscriptions planned on the old one end (clients resubscribe)."""
        self.router = router
        self._end_all(
            _error("The supergraph changed; subscribe again.", code="SUBSCRIPTION_SCHEMA_RELOAD")
        )

    async def aclose(self, grace_seconds: float = 5.0) -> None:
        """Router shutdown: every subscription ends with an error, every WebSocket closes
        (1001); waits up to ``grace_seconds`` for those last messages to go out."""
        if self.closed:
            return
        self.closed = True
        self._end_all(_error("The router is shutting down.", code="SUBSCRIPTION_SERVER_SHUTDOWN"))
        closing = [asyncio.ensure_future(close()) for close in tuple(self._closers)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_seconds
        if closing:
            await asyncio.wait(closing, timeout=grace_seconds)
        while self._open and loop.time() < deadline:
            await asyncio.sleep(0.01)

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> Callable[[], None]:
        """Register a connection's closer for shutdown; returns its unregister function."""
        self._closers.add(closer)
        return lambda: self._closers.discard(closer)

    def _end_all(self, error: Mapping[str, Any]) -> None:
        for live in tuple(self._open):
            live.end(error)

    async def identify(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity | None:
        """The caller of a WebSocket from its ``connection_init`` credential (None: invalid)."""
        if self.security is None:
            return ANONYMOUS
        try:
            return await self.security.authenticator.identify(headers)
        except InvalidCredential as error:
            _log.info("refused subscription credentials: %s", error.reason)
            return None

    def _subgraph_headers(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        signer = self.security.signer if self.security is not None else None
        if signer is None:
            return ()
        return ((self.security.identity_header, signer.sign(identity)),)  # type: ignore[union-attr]

    async def stream(
        self, request: GraphQLRequest, identity: Identity, client: str
    ) -> AsyncIterator[dict[str, Any]]:
        """The responses of ``request`` by ``identity``; ``SubscriptionRefused`` before the
        first when it cannot start."""
        if self.closed:
            raise SubscriptionRefused(
                [_error("The router is shutting down.", code="SUBSCRIPTION_SERVER_SHUTDOWN")]
            )
        router = self.router
        prepared = await router.prepare_async(request, identity)
        if isinstance(prepared, RequestError):
            raise SubscriptionRefused(prepared.errors)
        if prepared.kind is not OperationKind.SUBSCRIPTION:
            yield await router.execute(prepared)
            return
        fetch = root_fetch(prepared.plan)
        if fetch is None:  # authorization removed the root field: its errors, data null
            errors = prepared.authorization_errors or (
                _error("The subscription could not be planned.", code="QUERY_PLANNING_FAILED"),
            )
            raise SubscriptionRefused(errors)
        key = identity.client_id or identity.subject or client
        if self._per_client[key] >= self.limits.max_per_client:
            message = f"At most {self.limits.max_per_client} open subscriptions per client."
            raise SubscriptionRefused([_error(message, code="SUBSCRIPTION_LIMIT_REACHED")])
        live = _Open()
        self._open.add(live)
        self._per_client[key] += 1
        live.pump = asyncio.create_task(self._pump(router, prepared, fetch, identity, live))
        try:
            while (item := await live.queue.get()) is not _END:
                yield item  # type: ignore[misc]
        finally:
            live.end(None)
            self._open.discard(live)
            self._per_client[key] -= 1
            if not self._per_client[key]:
                del self._per_client[key]
            with contextlib.suppress(asyncio.CancelledError):
                await live.pump

    async def _pump(
        self,
        router: Router,
        prepared: PreparedOperation,
        fetch: Fetch,
        identity: Identity,
        live: _Open,
    ) -> None:
        """Subgraph events -> responses on ``live``'s queue, until the subgraph completes."""
        url = router.clients.urls[fetch.service_name]
        variables = {
            v: prepared.variables[v] for v in fetch.variable_usages if v in prepared.variables
        }
        end: dict[str, Any] | None = None
        try:
            events = self._upstream(
                url,
                fetch.operation,
                variables,
                self._subgraph_headers(identity),
                open_timeout=self.limits.upstream_open_timeout_seconds,
            )
            async for event in events:
                if identity.expires_at is not None and time.time() >= identity.expires_at:
                    end = _error("The subscription's credential expired.", code="UNAUTHENTICATED")
                    break
                token = SUBGRAPH_REQUEST_HEADERS.set(self._subgraph_headers(identity))
                try:
                    live.queue.put_nowait(await router.execute(prepared, root_answer=event))
                finally:
                    SUBGRAPH_REQUEST_HEADERS.reset(token)
        except UpstreamError as error:
            _log.warning("subscription to %s failed: %s", fetch.service_name, error)
            end = _error(
                f'Error while subscribing to service "{fetch.service_name}": {error}',
                code="SUBGRAPH_ERROR",
            )
            end["extensions"]["serviceName"] = fetch.service_name
        except asyncio.CancelledError:
            return
        except Exception:
            _log.exception("subscription failed")
            end = _error("Unexpected error during the subscription", code="INTERNAL_SERVER_ERROR")
        if end is not None:
            live.queue.put_nowait({"data": None, "errors": [end]})
        live.queue.put_nowait(_END)
