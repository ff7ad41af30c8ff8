"""Query batching as Apollo clients send it: a JSON array of operations in one POST.

Off by default (``batching.enabled``): an array then gets 400 ``BATCHING_NOT_ENABLED``; over
``batching.max_size`` operations, 400 ``BATCH_LIMIT_EXCEEDED`` (Apollo Router's codes).
Each operation goes through everything a single one does (persisted queries, safelisting,
operation limits, planning) and the answer is the array of their responses, in order, with
status 200: one operation's error does not fail the others.
"""

from __future__ import annotations

import orjson
from pydantic import BaseModel, ConfigDict, Field

from router.http_protocol import HTTPProblem, check_json_content_type, request_from_object
from router.request import GraphQLRequest

__all__ = ["BatchingConfig", "batch_from_body"]


class BatchingConfig(BaseModel):
    """``batching:`` in router.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    max_size: int = Field(default=10, gt=0)


def batch_from_body(
    content_type: str | None, body: bytes, config: BatchingConfig
) -> tuple[GraphQLRequest | HTTPProblem, ...] | None:
    """The operations of a batched POST body (None when the body is not a JSON array); an
    element that is not a valid request is its :class:`HTTPProblem`, answered in its place."""
    if not body.lstrip().startswith(b"["):
        return None
    check_json_content_type(content_type)
    if not config.enabled:
        raise HTTPProblem(
            400, "BATCHING_NOT_ENABLED", "Batching is not enabled; send one operation per request."
        )
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        message = f"The request body is not valid JSON: {error}."
        raise HTTPProblem(400, "BAD_REQUEST", message) from None
    if not payload:
        raise HTTPProblem(400, "BAD_REQUEST", "The batch is empty.")
    if len(payload) > config.max_size:
        raise HTTPProblem(
            400,
            "BATCH_LIMIT_EXCEEDED",
            f"The batch has {len(payload)} operations; at most {config.max_size} are allowed.",
        )
    requests: list[GraphQLRequest | HTTPProblem] = []
    for item in payload:
        try:
            requests.append(request_from_object(item))
        except HTTPProblem as problem:
            requests.append(problem)
    return tuple(requests)
