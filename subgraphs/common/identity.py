"""The caller's identity as the router vouches for it, verified in every subgraph.

The router sends a short-lived HS256 JWT in ``X-Router-Identity`` (see
``router.security.identity``), signed with a secret the subgraphs share
(``ROUTER_IDENTITY_SECRET``). :class:`IdentityMiddleware` checks it on every request but
``/health`` and ``/ready``:

- production (``OPS_MODE=production``): a request whose header is missing, forged or
  expired is answered 401 ``UNAUTHENTICATED``, so a subgraph reached directly, around the
  router, serves nobody; a secret is required to start;
- development (default) with a secret: a missing header is the anonymous caller, a present
  one is verified (401 when forged);
- development without a secret: nothing can be verified, so every request is served as
  :data:`DEVELOPMENT_CALLER`, which passes every access rule (as Hasura serves every request
  as admin until an admin secret is set). A warning says so at start-up; production refuses
  to start without a secret, so this never reaches a deployment.

Resolvers read :func:`current_identity`; :func:`forwarded_identity_headers` lets calls to
peer domains carry the same vouched identity on. Work a subgraph does on its own, outside
any request (e.g. the customers domain finishing an erasure in the background), calls its
peers as a ``service`` identity it signs itself with the same secret
(:func:`acting_as_service`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

import jwt
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "ANONYMOUS_CALLER",
    "DEVELOPMENT_CALLER",
    "IDENTITY_HEADER",
    "CallerIdentity",
    "IdentityError",
    "IdentityMiddleware",
    "IdentityVerifier",
    "acting_as_service",
    "current_identity",
    "forwarded_identity_headers",
    "verifier_from_environment",
]

IDENTITY_HEADER = "x-router-identity"
_ISSUER = "ops-router"
_AUDIENCE = "ops-subgraphs"
_LEEWAY_SECONDS = 5
_MAX_REMEMBERED = 4096
_SERVICE_TOKEN_SECONDS = 60
_KINDS = ("anonymous", "user", "partner", "service")
_logger = logging.getLogger(__name__)

_BODY = orjson.dumps(
    {
        "errors": [
            {
                "message": "The request does not carry a valid router identity.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }
)


class IdentityError(Exception):
    """The identity header is missing (in production), forged or expired."""


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    kind: str  # anonymous | user | partner | service | development
    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def unrestricted(self) -> bool:
        """The unverified development caller: every access rule lets it through."""
        return self.kind == "development"

    def has_scope(self, scope: str) -> bool:
        return self.unrestricted or scope in self.scopes


ANONYMOUS_CALLER = CallerIdentity("anonymous")
DEVELOPMENT_CALLER = CallerIdentity("development")
_current: ContextVar[CallerIdentity] = ContextVar("caller_identity", default=ANONYMOUS_CALLER)
_forwarded: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("forwarded_identity", default=())


def current_identity() -> CallerIdentity:
    """The caller of the request being served (anonymous outside a request)."""
    return _current.get()


def forwarded_identity_headers() -> Mapping[str, str]:
    """The identity header to pass on to a peer subgraph, as received."""
    return dict(_forwarded.get())


@contextlib.contextmanager
def acting_as_service(
    secret: str | None, client_id: str, scopes: frozenset[str]
) -> Iterator[CallerIdentity]:
    """Within the block, :func:`current_identity` is the service ``client_id`` holding
    ``scopes`` and calls to peers carry it, signed with ``secret`` (the subgraphs' shared
    ``ROUTER_IDENTITY_SECRET``; without one, peers serve everyone as the development
    caller and no header is sent)."""
    identity = CallerIdentity("service", None, client_id, scopes)
    header: tuple[tuple[str, str], ...] = ()
    if secret is not None:
        now = int(time.time())
        claims = {
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "iat": now,
            "exp": now + _SERVICE_TOKEN_SECONDS,
            "kind": identity.kind,
            "client_id": client_id,
            "scope": " ".join(sorted(scopes)),
        }
        header = ((IDENTITY_HEADER, jwt.encode(claims, secret, algorithm="HS256")),)
    identity_token = _current.set(identity)
    forwarded_token = _forwarded.set(header)
    try:
        yield identity
    finally:
        _forwarded.reset(forwarded_token)
        _current.reset(identity_token)


class IdentityVerifier:
    """Verifies identity headers. The router reuses one token per identity for a part of its
    lifetime, so a verified token is remembered until it expires (at most
    ``_MAX_REMEMBERED`` of them): checking the HMAC and the claims again costs ~90 µs on every
    subgraph request, a dictionary lookup costs nothing. Only tokens that passed every check
    are remembered, keyed by their exact text, and never past their ``exp`` (plus leeway,
    as ``jwt.decode`` allows)."""

    def __init__(
        self,
        secret: str | None,
        *,
        production: bool,
        header: str = IDENTITY_HEADER,
        clock: Callable[[], float] = time.time,
    ):
        if production and not secret:
            raise ValueError("OPS_MODE=production needs ROUTER_IDENTITY_SECRET")
        self.secret = secret
        self.production = production
        self.header = header.lower()
        self._clock = clock
        self._verified: dict[str, tuple[CallerIdentity, float]] = {}

    def verify(self, value: str | None) -> CallerIdentity:
        if self.secret is None:  # development without a secret: nothing to verify against
            return DEVELOPMENT_CALLER
        if value is None:
            if self.production:
                raise IdentityError("no identity header")
            return ANONYMOUS_CALLER
        now = self._clock()
        remembered = self._verified.get(value)
        if remembered is not None:
            if now < remembered[1]:
                return remembered[0]
            del self._verified[value]
        identity, expires = self._decode(value)
        if now < expires:
            if len(self._verified) >= _MAX_REMEMBERED:
                self._verified.clear()
            self._verified[value] = (identity, expires)
        return identity

    def _decode(self, value: str) -> tuple[CallerIdentity, float]:
        assert self.secret is not None
        try:
            claims = jwt.decode(
                value,
                self.secret,
                algorithms=["HS256"],
                audience=_AUDIENCE,
                issuer=_ISSUER,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "kind"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise IdentityError(f"invalid identity header: {error}") from None
        kind, scope = claims.get("kind"), claims.get("scope", "")
        if kind not in _KINDS or not isinstance(scope, str):
            raise IdentityError("malformed identity claims")
        subject, client = claims.get("sub"), claims.get("client_id")
        identity = CallerIdentity(
            kind,
            subject if isinstance(subject, str) else None,
            client if isinstance(client, str) else None,
            frozenset(scope.split()),
        )
        return identity, float(claims["exp"]) + _LEEWAY_SECONDS


def verifier_from_environment(environ: Mapping[str, str] | None = None) -> IdentityVerifier:
    """``OPS_MODE`` (``production`` or anything else) and ``ROUTER_IDENTITY_SECRET``."""
    environ = os.environ if environ is None else environ
    production = environ.get("OPS_MODE", "").strip().lower() == "production"
    secret = environ.get("ROUTER_IDENTITY_SECRET") or None
    if secret is None and not production:
        _logger.warning(
            "ROUTER_IDENTITY_SECRET is not set: callers cannot be verified, so every request "
            "is served with every access right (development only; OPS_MODE=production refuses "
            "to start without it)"
        )
    return IdentityVerifier(secret, production=production)


# the orchestrator's probes carry no identity
_PROBES = frozenset({"/health", "/ready"})


class IdentityMiddleware:
    """Verifies the identity header of each HTTP request (``/health`` excepted) and of each
    WebSocket handshake (a subscription runs with the identity it was opened with)."""

    def __init__(self, app: ASGIApp, verifier: IdentityVerifier) -> None:
        self.app = app
        self.verifier = verifier
        self._header = verifier.header.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in _PROBES:
            await self.app(scope, receive, send)
            return
        values = [v for n, v in scope["headers"] if n == self._header]
        try:
            if len(values) > 1:
                raise IdentityError("more than one identity header")
            raw = values[0].decode("latin-1") if values else None
            identity = self.verifier.verify(raw)
        except IdentityError as error:
            _logger.warning("refused a request: %s", error)
            if scope["type"] == "websocket":  # refused at the handshake: HTTP 403
                await send({"type": "websocket.close", "code": 4401})
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _BODY})
            return
        identity_token = _current.set(identity)
        forwarded_token = _forwarded.set(((self.verifier.header, raw),) if raw else ())
        try:
            await self.app(scope, receive, send)
        finally:
            _forwarded.reset(forwarded_token)
            _current.reset(identity_token)
