"""``GET /audit?subject=&since=&limit=``: the newest audit records, for a caller whose
credential carries the scope ``audit:read``.

No credential: 401 ``UNAUTHENTICATED``; a credential without the scope: 403 ``FORBIDDEN``;
a bad parameter: 400 ``BAD_USER_INPUT`` (GraphQL-style error bodies). Read only: the log
has no write path through the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from router.audit.store import MAX_LIST_LIMIT, AuditStore
from router.http_protocol import error_body

__all__ = ["AUDIT_SCOPE", "audit_endpoint"]

AUDIT_SCOPE = "audit:read"


class _BadParameter(ValueError):
    pass


def audit_endpoint(store: AuditStore) -> Callable[[Request], Awaitable[Response]]:
    async def list_audit(request: Request) -> Response:
        identity = (request.scope.get("state") or {}).get("identity")
        scopes: frozenset[str] = getattr(identity, "scopes", frozenset())
        if identity is None or getattr(identity, "subject", None) is None:
            return _error(401, "Reading the audit log needs a credential.", "UNAUTHENTICATED")
        if AUDIT_SCOPE not in scopes:
            return _error(403, f"Reading the audit log needs the scope {AUDIT_SCOPE}.", "FORBIDDEN")
        try:
            subject, since, limit = _parameters(request)
        except _BadParameter as error:
            return _error(400, str(error), "BAD_USER_INPUT")
        records = await store.list(subject=subject, since=since, limit=limit)
        return JSONResponse({"records": [record.as_json() for record in records]})

    return list_audit


def _parameters(request: Request) -> tuple[str | None, datetime | None, int]:
    params = request.query_params
    subject = params.get("subject") or None
    since = None
    if params.get("since"):
        try:
            since = datetime.fromisoformat(params["since"])
        except ValueError:
            raise _BadParameter("`since` must be an ISO 8601 time") from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    limit = 100
    if params.get("limit"):
        text = params["limit"]
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIST_LIMIT:
            raise _BadParameter(f"`limit` must be 1 to {MAX_LIST_LIMIT}")
        limit = int(text)
    return subject, since, limit


def _error(status: int, message: str, code: str) -> Response:
    headers = {"cache-control": "no-store"}
    if status == 401:
        headers["www-authenticate"] = 'Bearer, ApiKey realm="audit"'
    return JSONResponse(error_body(message, code), status_code=status, headers=headers)
