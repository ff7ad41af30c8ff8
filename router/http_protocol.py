"""The GraphQL-over-HTTP rules, kept apart from the Starlette wiring.

Everything here is pure: it turns header values, query parameters and body bytes into a
:class:`~router.request.GraphQLRequest` (or raises :class:`HTTPProblem` with the status
code the spec asks for) and decides the status code of a GraphQL response. The spec is
https://graphql.github.io/graphql-over-http/draft/; the graphql-http audit
(``tools/peers/audit.mjs``) checks it end to end.

Status codes chosen:

* 400 ``BAD_REQUEST``: the body is not JSON, not an object, or a parameter has the wrong
  type (``query`` must be a string, ``variables``/``extensions`` objects or null,
  ``operationName`` a string or null);
* 405 ``METHOD_NOT_ALLOWED``: neither GET nor POST, or a mutation over GET (``Allow: POST``);
* 406 ``NOT_ACCEPTABLE``: the ``Accept`` header admits none of our media types;
* 413 ``PAYLOAD_TOO_LARGE``: a body over the server's limit (checked in :mod:`router.server`);
* 415 ``UNSUPPORTED_MEDIA_TYPE``: a POST whose body is not ``application/json`` in UTF-8.

Once the request is well formed, ``application/json`` answers 200 whatever happens (the
legacy behaviour every client understands) while ``application/graphql-response+json``
answers 400 when the operation could not be executed (parse, validation, variables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import orjson

from router.request import GraphQLRequest

__all__ = [
    "APPLICATION_JSON",
    "GRAPHQL_RESPONSE_JSON",
    "TEXT_HTML",
    "HTTPProblem",
    "MediaRange",
    "check_json_content_type",
    "error_body",
    "execution_status",
    "negotiate",
    "parse_accept",
    "request_error_status",
    "request_from_body",
    "request_from_object",
    "request_from_query_params",
]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
TEXT_HTML = "text/html"

# When a wildcard is all that matches, the spec wants the legacy application/json.
_WILDCARD_PREFERENCE = (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, TEXT_HTML)


class HTTPProblem(Exception):
    """A request the server rejects before GraphQL sees it; ``code`` is ``extensions.code``."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers: Mapping[str, str] = headers or {}


def _bad_request(message: str) -> HTTPProblem:
    return HTTPProblem(400, "BAD_REQUEST", message)


class MediaRange(NamedTuple):
    """One ``type/subtype;q=...`` entry of an ``Accept`` header."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """-1 when this range does not cover ``media_type``, else 0 (``*/*``) to 2 (exact)."""
        wanted_type, _, wanted_subtype = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != wanted_type:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == wanted_subtype else -1


def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """Parse an ``Accept`` header; entries that are not ``type/subtype`` are skipped."""
    ranges = []
    for entry in header.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        ranges.append(MediaRange(kind, subtype, _quality(params)))
    return tuple(ranges)


def _quality(params: Sequence[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """Pick the offered media type the client prefers, or None when none is acceptable.

    No ``Accept`` header means ``application/json``. Higher quality wins, then the more
    specific range; between equally ranked exact matches the order of ``offers`` decides,
    between wildcard matches ``application/json`` comes first (the spec's legacy default).
    """
    if accept is None or not accept.strip():
        return APPLICATION_JSON if APPLICATION_JSON in offers else None
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, offer in enumerate(offers):
        rank = _rank(ranges, offer, position)
        if rank is not None and (best is None or rank > best):
            best, chosen = rank, offer
    return chosen


def _rank(ranges: Sequence[MediaRange], offer: str, position: int) -> tuple[float, int, int] | None:
    matches = [(r.specificity(offer), r.quality) for r in ranges if r.specificity(offer) >= 0]
    if not matches:
        return None
    specificity, quality = max(matches)
    if quality <= 0.0:
        return None
    order = position if specificity == 2 else _wildcard_position(offer)
    return (quality, specificity, -order)


def _wildcard_position(offer: str) -> int:
    if offer in _WILDCARD_PREFERENCE:
        return _WILDCARD_PREFERENCE.index(offer)
    return len(_WILDCARD_PREFERENCE)


def request_from_body(content_type: str | None, body: bytes) -> GraphQLRequest:
    """Read a POST body; it must be a UTF-8 ``application/json`` object."""
    check_json_content_type(content_type)
    if not body.strip():
        raise _bad_request("The request body is empty; expected a JSON object.")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise _bad_request(f"The request body is not valid JSON: {error}.") from None
    return request_from_object(payload)


def request_from_object(payload: Any) -> GraphQLRequest:
    """One operation's parameters from a parsed JSON body (or an element of a batch)."""
    if not isinstance(payload, dict):
        raise _bad_request("The request body must be a JSON object.")
    return _request_from_params(payload)


def check_json_content_type(content_type: str | None) -> None:
    if content_type is None:
        raise HTTPProblem(
            415, "UNSUPPORTED_MEDIA_TYPE", "POST requests need Content-Type: application/json."
        )
    media, *params = (part.strip() for part in content_type.split(";"))
    if media.lower() != APPLICATION_JSON:
        raise HTTPProblem(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Unsupported Content-Type {media!r}; POST requests need application/json.",
        )
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise HTTPProblem(
                415, "UNSUPPORTED_MEDIA_TYPE", f"Unsupported charset {value.strip()!r}."
            )


def request_from_query_params(params: Sequence[tuple[str, str]]) -> GraphQLRequest:
    """Read a GET request's URL parameters; ``variables``/``extensions`` are JSON text."""
    values: dict[str, Any] = {}
    for name, value in params:
        if name in values:
            raise _bad_request(f"The {name!r} parameter is given more than once.")
        values[name] = value
    for name in ("variables", "extensions"):
        if name in values:
            values[name] = _json_param(name, values[name])
    return _request_from_params(values)


def _json_param(name: str, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise _bad_request(f"The {name!r} parameter is not valid JSON.") from None


def _request_from_params(params: Mapping[str, Any]) -> GraphQLRequest:
    query = params.get("query")
    document_id = params.get("documentId")
    if document_id is not None and not isinstance(document_id, str):
        raise _bad_request("The 'documentId' parameter must be a string.")
    if query is None:
        # a persisted query or trusted document: router.operation_documents finds the text
        extensions = params.get("extensions")
        named = isinstance(extensions, dict) and extensions.get("persistedQuery") is not None
        if not named and not document_id:
            raise _bad_request("The 'query' parameter is missing.")
        query = ""
    if not isinstance(query, str):
        raise _bad_request("The 'query' parameter must be a string.")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad_request("The 'operationName' parameter must be a string or null.")
    return GraphQLRequest(
        query=query,
        operation_name=operation_name or None,
        variables=_object_param(params, "variables"),
        extensions=_object_param(params, "extensions"),
        document_id=document_id or None,
    )


def _object_param(params: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = params.get(name)
    if value is not None and not isinstance(value, dict):
        raise _bad_request(f"The {name!r} parameter must be an object or null.")
    return value


def request_error_status(media_type: str) -> int:
    """Status for a well-formed request GraphQL refused to execute (parse/validate/coerce)."""
    return 400 if media_type == GRAPHQL_RESPONSE_JSON else 200


def execution_status(media_type: str, result: Mapping[str, Any]) -> int:
    """Status for an executed operation.

    A result with a ``data`` entry (even null) is 200 under both media types, as the spec
    recommends; without one, ``application/graphql-response+json`` must not claim success.
    """
    if media_type == GRAPHQL_RESPONSE_JSON and "data" not in result:
        return 400
    return 200


def error_body(message: str, code: str) -> dict[str, Any]:
    """A GraphQL response with one request error and no ``data`` entry."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
