"""Service-to-service GraphQL calls from one domain to another (e.g. orders asking products
for prices and inventory for reservations).

The HTTP client is injected: real URLs in production, ``httpx.ASGITransport`` into the
same process in development and tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from subgraphs.common.errors import DomainError
from subgraphs.common.identity import forwarded_identity_headers

__all__ = ["PeerUnavailable", "Peers"]


class PeerUnavailable(DomainError):
    """Another domain could not be reached or answered with an error."""

    code = "SERVICE_UNAVAILABLE"


@dataclass(slots=True)
class Peers:
    """GraphQL endpoints of the other domains this one calls, by domain name."""

    urls: Mapping[str, str] = field(default_factory=dict)
    client: httpx.AsyncClient | None = None

    async def query(
        self, domain: str, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``data`` of ``query`` on ``domain``; GraphQL errors with a code are re-raised as is."""
        url = self.urls.get(domain)
        if url is None or self.client is None:
            raise PeerUnavailable(f"The {domain} service is not configured", service=domain)
        try:
            response = await self.client.post(
                url,
                content=orjson.dumps({"query": query, "variables": dict(variables or {})}),
                headers={
                    "content-type": "application/json",
                    "accept": "application/json",
                    **forwarded_identity_headers(),  # the caller the router vouched for
                },
            )
            body = orjson.loads(response.content)
        except (httpx.HTTPError, orjson.JSONDecodeError) as error:
            raise PeerUnavailable(f"The {domain} service is unavailable", service=domain) from error
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            raise _peer_error(domain, errors[0])
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise PeerUnavailable(f"The {domain} service returned no data", service=domain)
        return data


def _peer_error(domain: str, error: Mapping[str, Any]) -> DomainError:
    """The peer's first error as ours, keeping its code and details (e.g. ``productId``)."""
    extensions = error.get("extensions") or {}
    failure = DomainError(str(error.get("message", "error")), service=domain)
    failure.extensions = {
        **extensions,
        "code": extensions.get("code", PeerUnavailable.code),
        "service": domain,
    }
    return failure
