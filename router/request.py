"""The vocabulary shared by the HTTP server and the router pipeline.

The server turns an HTTP request into a :class:`GraphQLRequest`, asks the pipeline to
``prepare`` it (parse, validate against the API schema, pick the operation, coerce the
variables), and either gets a :class:`RequestError` back (the request is not executable:
the server chooses the status code) or a prepared operation it then executes. Keeping the
two outcomes apart lets the server follow the GraphQL-over-HTTP spec without knowing how
planning or execution work.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GraphQLRequest", "OperationKind", "RequestError", "RequestErrorKind"]


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    operation_name: str | None = None
    variables: Mapping[str, Any] | None = None
    extensions: Mapping[str, Any] | None = None
    # a trusted document's id (the ``documentId`` parameter); ``query`` is then "" until
    # router.operation_documents resolves it
    document_id: str | None = None


class OperationKind(enum.Enum):
    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"


class RequestErrorKind(enum.Enum):
    """Why a request could not be executed; each maps to a stable ``extensions.code``."""

    PARSE = "GRAPHQL_PARSE_FAILED"
    VALIDATION = "GRAPHQL_VALIDATION_FAILED"
    BAD_VARIABLES = "BAD_USER_INPUT"
    OPERATION_NOT_FOUND = "OPERATION_RESOLUTION_FAILURE"
    # a valid operation no query plan can answer over this supergraph (answered data: null)
    PLANNING = "QUERY_PLANNING_FAILED"
    # over an operation limit (router.limits): each error carries its own code, HTTP 400
    LIMIT = "OPERATION_LIMIT_EXCEEDED"
    # asked for fields or types the caller may not see, with router.yaml
    # authorization.reject_unauthorized (each error carries its path; HTTP 403)
    UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


@dataclass(frozen=True, slots=True)
class RequestError:
    """A request rejected before execution, with the GraphQL errors to send back."""

    kind: RequestErrorKind
    errors: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
