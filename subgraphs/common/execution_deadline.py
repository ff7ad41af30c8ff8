"""Stop GraphQL execution at the request's deadline even inside synchronous stretches.

Cancelling the request's task (``subgraphs.common.deadline``) only takes effect at an
``await``. graphql-core completes everything a loader returned in one synchronous step:
one level of the orders -> customer -> orders chain is hundreds of thousands of objects,
which held the event loop for 17 s past a 300 ms deadline. :class:`DeadlineExecutor`
looks at the clock each time it executes an object's fields and, once the deadline in
the request's context has passed, raises :class:`asyncio.CancelledError` right there:
graphql-core only catches ``Exception``, so the whole execution unwinds as cancelled.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["ABANDONED_COROUTINES", "DeadlineExecutor"]

# graphql-core creates a level's coroutines before it awaits them; those a cancellation
# abandons warn "never awaited" when collected, by the hundred thousand. Expected here.
ABANDONED_COROUTINES = r"coroutine '(Executor|GraphQLCoreConverter)\.[^']*' was never awaited"
warnings.filterwarnings("ignore", message=ABANDONED_COROUTINES, category=RuntimeWarning)


class DeadlineExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, checking ``context_value.deadline`` (a ``time.monotonic``
    instant, or None) once per object."""

    def execute_fields(self, *args: Any, **kwargs: Any) -> Any:
        deadline = getattr(self.context_value, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise asyncio.CancelledError("the request's deadline has passed")
        return super().execute_fields(*args, **kwargs)
