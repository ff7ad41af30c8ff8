"""The router's security in front of ``/graphql``: identify the caller, refuse bad
credentials, and hand the verified identity to every subgraph request.

A bad, expired or unverifiable credential is answered 401 with one fixed body
(``extensions.code: UNAUTHENTICATED``) whatever the reason, before the request body is read:
nothing else runs. The reason goes to the log. When the key database cannot be reached the
answer is 503 ``SERVICE_UNAVAILABLE`` (a valid key must not be told it is bad).
Client-supplied copies of the identity header are dropped from the request, and subgraph
requests carry the router's own signed one
(:data:`router.subgraph_client.SUBGRAPH_REQUEST_HEADERS`); the identity is also put in the
ASGI scope's ``state["identity"]`` for the stages behind it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import httpx
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from models.database import open_database
from router.config import ConfigError, RouterConfig
from router.http_protocol import error_body
from router.security.api_keys import ApiKeyStore
from router.security.bearer import BearerVerifier, InvalidCredential
from router.security.config import ApiKeysConfig, AuthenticationConfig, IdentityPropagationConfig
from router.security.credentials import Authenticator
from router.security.identity import IdentitySigner
from router.subgraph_client import SUBGRAPH_REQUEST_HEADERS

__all__ = ["UNAUTHENTICATED_BODY", "RouterSecurity", "SecurityMiddleware", "security_from_config"]

_logger = logging.getLogger(__name__)

UNAUTHENTICATED_BODY = orjson.dumps(
    error_body("The request's credentials are invalid or expired.", "UNAUTHENTICATED")
)
_UNAUTHENTICATED_HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"content-length", str(len(UNAUTHENTICATED_BODY)).encode()),
    (b"www-authenticate", b'Bearer, ApiKey realm="graphql"'),
    (b"cache-control", b"no-store"),
]
_UNAVAILABLE_BODY = orjson.dumps(
    error_body("Credentials cannot be checked right now; retry later.", "SERVICE_UNAVAILABLE")
)
_UNAVAILABLE_HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"content-length", str(len(_UNAVAILABLE_BODY)).encode()),
    (b"retry-after", b"5"),
]


class RouterSecurity:
    """Everything the middleware needs, built from ``router.yaml``; owns the key database."""

    def __init__(
        self,
        authenticator: Authenticator,
        signer: IdentitySigner | None,
        identity_header: str = "x-router-identity",
    ) -> None:
        self.authenticator = authenticator
        self.signer = signer
        self.identity_header = identity_header.lower()

    @classmethod
    def from_config(
        cls,
        authentication: AuthenticationConfig,
        api_keys: ApiKeysConfig,
        propagation: IdentityPropagationConfig,
        *,
        jwks_transport: httpx.AsyncBaseTransport | None = None,
    ) -> RouterSecurity:
        bearer = None
        if authentication.jwt is not None:
            bearer = BearerVerifier(authentication.jwt, transport=jwks_transport)
        store = None
        if api_keys.enabled:
            database = open_database(api_keys.database_url)
            store = ApiKeyStore(database, cache_seconds=api_keys.cache_seconds)
        signer = None
        if propagation.secret is not None:
            signer = IdentitySigner(propagation.secret.get_secret_value(), propagation.ttl_seconds)
        return cls(Authenticator(bearer, store), signer, propagation.header)

    async def startup(self) -> None:
        if self.authenticator.api_keys is not None:
            await self.authenticator.api_keys.create_tables()

    async def aclose(self) -> None:
        if self.authenticator.api_keys is not None:
            await self.authenticator.api_keys.database.dispose()

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return SecurityMiddleware(app, self)


def security_from_config(
    config: RouterConfig, environ: Mapping[str, str] | None = None
) -> RouterSecurity:
    """The router's security; with ``OPS_MODE=production`` the identity secret is required
    (production subgraphs refuse every request without the signed identity)."""
    environ = os.environ if environ is None else environ
    production = environ.get("OPS_MODE", "").strip().lower() == "production"
    if production and config.identity_propagation.secret is None:
        raise ConfigError(
            "identity_propagation.secret: required when OPS_MODE=production "
            "(e.g. secret: ${env.ROUTER_IDENTITY_SECRET})"
        )
    return RouterSecurity.from_config(
        config.authentication, config.api_keys, config.identity_propagation
    )


class SecurityMiddleware:
    """A plain ASGI middleware (so the context variable it sets reaches the endpoint)."""

    def __init__(self, app: ASGIApp, security: RouterSecurity) -> None:
        self.app = app
        self.security = security
        self._identity_header = security.identity_header.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(n, v) for n, v in scope["headers"] if n != self._identity_header]
        try:
            identity = await self.security.authenticator.identify(headers)
        except InvalidCredential as error:
            _logger.info("refused credentials: %s", error.reason)
            await _answer(send, 401, UNAUTHENTICATED_BODY, _UNAUTHENTICATED_HEADERS)
            return
        except Exception:  # the key database is down: say so, never "bad credentials"
            _logger.exception("could not check the request's credentials")
            await _answer(send, 503, _UNAVAILABLE_BODY, _UNAVAILABLE_HEADERS)
            return
        state = dict(scope.get("state") or {})
        state["identity"] = identity
        scope = {**scope, "headers": headers, "state": state}
        signer = self.security.signer
        outgoing = ((self.security.identity_header, signer.sign(identity)),) if signer else ()
        token = SUBGRAPH_REQUEST_HEADERS.set(outgoing)
        try:
            await self.app(scope, receive, send)
        finally:
            SUBGRAPH_REQUEST_HEADERS.reset(token)


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
