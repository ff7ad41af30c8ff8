"""Domain errors with stable ``extensions.code`` values, and the extension that gives every
other error a code too.

Resolvers raise :class:`BadUserInput`, :class:`NotFound` or :class:`Conflict`; graphql-core
keeps their ``extensions``. :class:`ErrorCodes` labels what graphql-core and Strawberry
raise themselves (syntax, validation, variable coercion) and masks anything unexpected as
``INTERNAL_SERVER_ERROR`` (logged with its traceback, never sent to the client), except a
database that is unreachable or timed out: ``SERVICE_UNAVAILABLE``, logged rate-limited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from models.database_errors import is_unavailable
from subgraphs.common.log_limit import RateLimitedLog

__all__ = [
    "BadUserInput",
    "Conflict",
    "DomainError",
    "ErrorCodes",
    "Forbidden",
    "NotFound",
    "ServiceUnavailable",
    "label",
]

logger = logging.getLogger("subgraphs.errors")


class DomainError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **details})


class BadUserInput(DomainError):
    """The input is malformed or violates a rule (email format, negative quantity, ...)."""

    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    """A referenced record does not exist."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The request contradicts the current state (duplicate email, invalid transition)."""

    code = "CONFLICT"


class Forbidden(DomainError):
    """The caller may not read or change this row (another customer's; see
    :mod:`subgraphs.common.access`)."""

    code = "FORBIDDEN"


class ServiceUnavailable(DomainError):
    """The service cannot answer now (its database is unreachable or not ready yet)."""

    code = "SERVICE_UNAVAILABLE"


def _has_code(error: GraphQLError) -> bool:
    extensions: Mapping[str, Any] | None = error.extensions
    return bool(extensions and "code" in extensions)


def label(errors: list[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if not _has_code(error):
            error.extensions = {**(error.extensions or {}), "code": code}


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


_outages = RateLimitedLog(logger)


def _unavailable(error: GraphQLError) -> GraphQLError:
    """SERVICE_UNAVAILABLE for a database that cannot be reached or did not answer in time,
    logged in one line per interval (the store, not the request, is at fault)."""
    original = error.original_error
    _outages.warning(
        "database-unavailable", f"database unavailable: {type(original).__name__}: {original}"
    )
    return GraphQLError(
        "The service's database is unavailable, try again later",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "SERVICE_UNAVAILABLE"},
    )


class ErrorCodes(SchemaExtension):
    """Codes for validation and variable errors, masking of unexpected ones. (Syntax errors
    are labelled by ``subgraphs.common.schema.ParserCacheWithCodes``, where parsing happens.)"""

    def on_validate(self) -> Iterator[None]:
        yield
        label(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        masked: list[GraphQLError] = []
        for error in result.errors:
            if _is_expected(error):
                # Errors without a path come from variable coercion, before any resolver ran.
                label([error], "BAD_USER_INPUT" if error.path is None else "INTERNAL_SERVER_ERROR")
                masked.append(error)
                continue
            if error.original_error is not None and is_unavailable(error.original_error):
                masked.append(_unavailable(error))
                continue
            logger.error("unexpected error in %s", error.path, exc_info=error.original_error)
            masked.append(
                GraphQLError(
                    "Internal server error",
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL_SERVER_ERROR"},
                )
            )
        result.errors = masked
