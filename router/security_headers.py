"""Security headers on every response the router sends.

``X-Content-Type-Options: nosniff`` (a browser never guesses an answer is HTML or script),
a ``Referrer-Policy``, and a ``Content-Security-Policy`` with ``frame-ancestors 'none'``
(no site may frame the router; GraphiQL's page brings its own, stricter-for-scripts policy,
which also forbids framing, and is left as it is). A header the response already has is
kept.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_CONTENT_SECURITY_POLICY", "SecurityHeaders", "SecurityHeadersConfig"]

DEFAULT_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'"


class SecurityHeadersConfig(BaseModel):
    """``security_headers:`` in router.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    referrer_policy: str = "no-referrer"
    content_security_policy: str = DEFAULT_CONTENT_SECURITY_POLICY

    def middleware(self) -> list[Middleware]:
        if not self.enabled:
            return []
        headers = (
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", self.referrer_policy),
            ("content-security-policy", self.content_security_policy),
        )
        return [Middleware(SecurityHeaders, headers=headers)]


class SecurityHeaders:
    """A plain ASGI middleware adding ``headers`` (lower-case names) when absent."""

    def __init__(self, app: ASGIApp, headers: tuple[tuple[str, str], ...]) -> None:
        self.app = app
        self.headers = tuple((name.encode(), value.encode()) for name, value in headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
