"""Run a query plan: subgraph requests, ``_entities`` batching, merging, error re-pathing.

Works on plain dicts and lists. ``Sequence`` children run in order, ``Parallel`` children
concurrently, ``Flatten`` collects the objects at its path (``@`` walks a list) and its fetch
sends one deduplicated ``_entities`` batch for them, then deep-merges each answer into every
object that produced the same representation. A fetch that fails leaves its data out and
adds an error; it never aborts the other fetches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from router.plan import Fetch, Flatten, PlanField, PlanNode, PlanSelection, QueryPlan, Sequence
from router.subgraph_client import SubgraphClients, SubgraphRequestError

__all__ = ["deep_merge", "execute_plan"]

Path = list[str | int]


def deep_merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        existing = target.get(key)
        if isinstance(existing, dict) and isinstance(value, dict):
            if existing is not value:
                deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            for index, item in enumerate(value):
                current = existing[index]
                if isinstance(current, dict) and isinstance(item, dict):
                    if current is not item:
                        deep_merge(current, item)
                else:
                    existing[index] = item
        else:
            target[key] = value


def _objects_at(value: Any, path: tuple[str, ...], position: Path) -> Iterator[tuple[Any, Path]]:
    """The non-null objects at ``path`` (``@`` = each list element), with their paths."""
    if value is None:
        return
    if not path:
        if isinstance(value, list):  # a list the path did not mark: flatten it anyway
            for index, item in enumerate(value):
                yield from _objects_at(item, path, [*position, index])
        else:
            yield value, position
        return
    head, rest = path[0], path[1:]
    if head == "@":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _objects_at(item, rest, [*position, index])
    elif isinstance(value, dict):
        yield from _objects_at(value.get(head), rest, [*position, head])


def _select(source: Any, selections: tuple[PlanSelection, ...]) -> Any:
    """The representation of ``source`` for ``selections``, or None when a field is missing."""
    result: dict[str, Any] = {}
    for selection in selections:
        if not isinstance(selection, PlanField):
            if source.get("__typename") == selection.type_condition:
                inner = _select(source, selection.selections)
                if inner is None:
                    return None
                result.update(inner)
            continue
        key = selection.response_key
        if key not in source:
            return None
        value = source[key]
        if selection.selections and value is not None:
            if isinstance(value, list):
                value = [_select(v, selection.selections) if v is not None else None for v in value]
            else:
                value = _select(value, selection.selections)
        result[key] = value
    return result


class _Execution:
    def __init__(
        self, clients: SubgraphClients, variables: Mapping[str, Any], data: dict[str, Any]
    ) -> None:
        self.clients = clients
        self.variables = variables
        self.data = data
        self.errors: list[dict[str, Any]] = []

    async def run(self, node: PlanNode) -> None:
        if isinstance(node, Fetch):
            await self.root_fetch(node)
        elif isinstance(node, Flatten):
            await self.entity_fetch(node.node, node.path)
        elif isinstance(node, Sequence):
            for child in node.nodes:
                await self.run(child)
        else:
            await asyncio.gather(*(self.run(child) for child in node.nodes))

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
        return {v: self.variables[v] for v in fetch.variable_usages if v in self.variables}

    async def send(self, fetch: Fetch, variables: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await self.clients.fetch(fetch.service_name, fetch.operation, variables)
        except SubgraphRequestError as error:
            self.errors.append(
                {
                    "message": f'Error while fetching subquery from service "{error.service_name}"'
                    f": {error.message}",
                    "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": error.service_name},
                }
            )
            return None

    async def root_fetch(self, fetch: Fetch) -> None:
        response = await self.send(fetch, self.fetch_variables(fetch))
        if response is None:
            return
        self.add_errors(fetch, response, lambda path: [path])
        data = response.get("data")
        if isinstance(data, dict):
            deep_merge(self.data, data)

    async def entity_fetch(self, fetch: Fetch, path: tuple[str, ...]) -> None:
        targets: list[tuple[dict[str, Any], Path]] = []
        representations: list[Any] = []
        slot_of: dict[bytes, int] = {}
        slots: list[int] = []
        for entity, entity_path in _objects_at(self.data, path, []):
            selections = fetch.requires_by_type.get(entity.get("__typename", ""))
            representation = _select(entity, selections) if selections else None
            if representation is None:
                continue
            key = orjson.dumps(representation)
            slot = slot_of.get(key)
            if slot is None:
                slot = slot_of[key] = len(representations)
                representations.append(representation)
            targets.append((entity, entity_path))
            slots.append(slot)
        if not representations:
            return
        variables = self.fetch_variables(fetch)
        variables["representations"] = representations
        response = await self.send(fetch, variables)
        if response is None:
            return
        self.add_errors(fetch, response, lambda p: _entity_paths(p, slots, targets))
        self.merge_entities(fetch, response, representations, slots, targets)

    def merge_entities(
        self,
        fetch: Fetch,
        response: Mapping[str, Any],
        representations: list[Any],
        slots: list[int],
        targets: list[tuple[dict[str, Any], Path]],
    ) -> None:
        data = response.get("data")
        received = data.get("_entities") if isinstance(data, dict) else None
        if received is None:
            return
        if not isinstance(received, list) or len(received) != len(representations):
            self.errors.append(
                {
                    "message": f'Expected "data._entities" to contain {len(representations)} '
                    "elements",
                    "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": fetch.service_name},
                }
            )
            return
        for (entity, _), slot in zip(targets, slots, strict=True):
            answer = received[slot]
            if isinstance(answer, dict):
                deep_merge(entity, answer)

    def add_errors(
        self,
        fetch: Fetch,
        response: Mapping[str, Any],
        repath: Callable[[Path], list[Path | None]],
    ) -> None:
        for error in response.get("errors") or ():
            if not isinstance(error, dict):
                continue
            extensions = dict(error.get("extensions") or {})
            extensions["serviceName"] = fetch.service_name
            if "code" not in extensions:
                extensions["code"] = "DOWNSTREAM_SERVICE_ERROR"
            message = error.get("message") or (
                f'Error while fetching subquery from service "{fetch.service_name}"'
            )
            path = error.get("path")
            for new_path in repath(list(path)) if isinstance(path, list) else [None]:
                body: dict[str, Any] = {"message": message}
                if new_path is not None:
                    body["path"] = new_path
                body["extensions"] = extensions
                self.errors.append(body)


def _entity_paths(
    path: Path, slots: list[int], targets: list[tuple[dict[str, Any], Path]]
) -> list[Path | None]:
    """Re-path an ``_entities`` error to every object that sent that representation."""
    if len(path) < 2 or path[0] != "_entities" or not isinstance(path[1], int):
        return [None]
    found: list[Path | None] = [
        entity_path + path[2:]
        for (_, entity_path), slot in zip(targets, slots, strict=True)
        if slot == path[1]
    ]
    return found or [None]


async def execute_plan(
    plan: QueryPlan, clients: SubgraphClients, variables: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run ``plan``; return the merged (unshaped) data and the errors collected."""
    execution = _Execution(clients, variables, {})
    if plan.node is not None:
        await execution.run(plan.node)
    return execution.data, execution.errors
