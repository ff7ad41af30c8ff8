"""The HTTP webhook bridge: inbound integration messages from systems that cannot speak NATS.

``POST /integration/{source}`` (``erp``, ``pos``, ``crm``) takes one CloudEvent in JSON
structured mode, exactly as it would be published on the bus, signed with the source's
secret: header ``X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``. Answers:

- 202 ``{"id", "subject", "sequence"}`` once the event is durably stored on the bus (the
  same guarantee as a publish: JetStream acknowledged it, or the embedded log committed
  it); sending the same event id again stores it once;
- 401 for a missing or wrong signature (checked first: nothing of an unsigned body is read);
- 400 with the reason for a body that is not a CloudEvent, an event whose type is not one
  of this source's (``integration.<source>.*``), or data that fails the type's schema;
- 404 for a source with no configured secret, 413 for a body over ``MAX_BODY_BYTES``, 503
  when the bus cannot store it now (the sender retries).

It imports only ``events`` and Starlette; ``python -m events webhook`` serves it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from events.bus import EventBus
from events.catalogue import INTEGRATION_TYPES, check
from events.envelope import decode
from events.errors import BrokerUnavailable, InvalidEvent, SchemaViolation

__all__ = [
    "MAX_BODY_BYTES",
    "SIGNATURE_HEADER",
    "secrets_from_env",
    "sign",
    "webhook_app",
]

SIGNATURE_HEADER = "X-Signature-256"
MAX_BODY_BYTES = 256 * 1024
_SECRET_PREFIX = "INTEGRATION_SECRET_"


def sign(secret: bytes, body: bytes) -> str:
    """The signature header value a sender computes over the raw body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def secrets_from_env(environ: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """Per-source secrets: ``INTEGRATION_SECRET_ERP=...`` configures source ``erp``."""
    environ = os.environ if environ is None else environ
    return {
        name.removeprefix(_SECRET_PREFIX).lower(): value.encode()
        for name, value in environ.items()
        if name.startswith(_SECRET_PREFIX) and value
    }


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


async def _body(request: Request) -> bytes | None:
    """The raw body, or None once it exceeds ``MAX_BODY_BYTES`` (read no further)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_app(bus: EventBus, secrets: Mapping[str, bytes]) -> Starlette:
    async def receive(request: Request) -> JSONResponse:
        source = request.path_params["source"]
        secret = secrets.get(source)
        if secret is None:
            return _error(404, f"unknown integration source {source!r}")
        body = await _body(request)
        if body is None:
            return _error(413, f"body over {MAX_BODY_BYTES} bytes")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(signature.encode(), sign(secret, body).encode()):
            return _error(401, f"missing or invalid {SIGNATURE_HEADER}")
        try:
            envelope = decode(body)
            event_type = check(envelope)
        except (InvalidEvent, SchemaViolation) as error:
            return _error(400, str(error))
        if INTEGRATION_TYPES.get(event_type.type) is not event_type or not (
            event_type.type.startswith(f"integration.{source}.")
        ):
            return _error(400, f"{event_type.type} is not an integration type of {source!r}")
        try:
            sequence = await bus.publish(event_type.type, body, message_id=envelope.id)
        except BrokerUnavailable as error:
            return _error(503, f"not stored, retry later: {error}")
        return JSONResponse(
            {"id": envelope.id, "subject": event_type.type, "sequence": sequence},
            status_code=202,
        )

    return Starlette(routes=[Route("/integration/{source}", receive, methods=["POST"])])
