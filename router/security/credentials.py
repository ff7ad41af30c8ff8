"""Which credential a request carries, and whose it is.

``Authorization: Bearer <JWT>``, ``Authorization: ApiKey <key>`` or ``X-API-Key: <key>``;
none at all is the anonymous caller. A request with more than one credential, an unknown
scheme, or a credential of a kind the config does not enable is refused like a bad one:
a credential the router cannot verify is never ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

from router.security.api_keys import ApiKeyStore
from router.security.bearer import BearerVerifier, InvalidCredential
from router.security.identity import ANONYMOUS, Identity

__all__ = ["API_KEY_HEADER", "Authenticator"]

API_KEY_HEADER = "x-api-key"


class Authenticator:
    def __init__(self, bearer: BearerVerifier | None, api_keys: ApiKeyStore | None) -> None:
        self.bearer = bearer
        self.api_keys = api_keys

    async def identify(self, headers: Sequence[tuple[bytes, bytes]]) -> Identity:
        """The caller of a request with these raw ASGI headers (names lower-case)."""
        found = [  # a blank header is no credential (GraphiQL sends its empty template)
            (name, value)
            for name, value in headers
            if name in (b"authorization", API_KEY_HEADER.encode()) and value.strip()
        ]
        if not found:
            return ANONYMOUS
        if len(found) > 1:
            raise InvalidCredential("more than one credential")
        name, raw = found[0]
        try:
            value = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            raise InvalidCredential("credential is not ASCII") from None
        if name == b"authorization":
            scheme, _, value = value.partition(" ")
            scheme, value = scheme.lower(), value.strip()
            if scheme == "bearer":
                return await self._bearer(value)
            if scheme != "apikey":
                raise InvalidCredential(f"unsupported scheme {scheme[:20]!r}")
        return await self._api_key(value)

    async def _bearer(self, token: str) -> Identity:
        if self.bearer is None:
            raise InvalidCredential("bearer tokens are not configured")
        return await self.bearer.verify(token)

    async def _api_key(self, key: str) -> Identity:
        if self.api_keys is None:
            raise InvalidCredential("API keys are not enabled")
        return await self.api_keys.authenticate(key)
