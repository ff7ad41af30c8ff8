"""How a subgraph logs the errors of a request.

Strawberry logs every GraphQL error at ERROR with the exception's traceback (logger
``strawberry.execution``), so each bad id or invalid email a client sends fills the log
with a stack trace. Here an expected error (a :class:`~graphql.GraphQLError` raised on
purpose: syntax, validation, variables, :class:`~subgraphs.common.errors.DomainError`)
is one INFO line (without the e-mail addresses and phone numbers a message may quote
from the input); an unexpected exception keeps its traceback, logged at ERROR by
:class:`~subgraphs.common.errors.ErrorCodes` where it is masked.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from observability.logs import redact

__all__ = ["QuietSchema", "is_expected"]

logger = logging.getLogger("subgraphs.requests")


def is_expected(error: GraphQLError) -> bool:
    """Raised on purpose (no cause, or the cause is itself a GraphQL error)."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class QuietSchema(strawberry.federation.Schema):
    """A federation schema whose client errors log one line each, without a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if not is_expected(error):
                continue  # ErrorCodes logs it with its traceback and masks it
            code = (error.extensions or {}).get("code", "client error")
            path = ".".join(str(key) for key in error.path or ()) or "-"
            # messages may quote the input refused (an e-mail, a phone number): not in the log
            message = redact(" ".join(error.message.split()))
            logger.info("%s at %s: %s", code, path, message)
