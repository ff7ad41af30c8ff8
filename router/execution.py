"""Run a query plan: subgraph requests, ``_entities`` batching, merging, error re-pathing.

Works on plain dicts and lists. ``Sequence`` children run in order, ``Parallel`` children
concurrently, ``Flatten`` collects the objects at its path (``@`` walks a list) and its fetch
sends one deduplicated ``_entities`` batch for them, then deep-merges each answer into every
object that produced the same representation. A merged ``Flatten`` (several paths) sends one
batch for all of them; each path gets only the fields and the errors it asked for. A fetch
that fails leaves its data out and adds an error; it never aborts the other fetches.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from router.audit.record import collect_report
from router.plan import (
    Fetch,
    Flatten,
    OutputRewrite,
    PlanField,
    PlanFragment,
    PlanNode,
    PlanSelection,
    QueryPlan,
    Sequence,
)
from router.subgraph_client import SubgraphClients, SubgraphRequestError
from router.telemetry.record import fetch_span

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


def _rewrite(
    value: Any,
    path: tuple[str | frozenset[str], ...],
    rename: OutputRewrite,
    typename: str | None = None,
) -> None:
    """Rename ``rename.alias`` to ``rename.name`` in the objects at ``path`` below ``value``
    (``typename``: the type of ``value`` when it does not say, as an ``_entities`` answer)."""
    if isinstance(value, list):
        for item in value:
            _rewrite(item, path, rename)
        return
    if not isinstance(value, dict):
        return
    if not path:
        if rename.alias in value:
            value[rename.name] = value.pop(rename.alias)
        return
    head = path[0]
    if isinstance(head, frozenset):
        if value.get("__typename", typename) in head:
            _rewrite(value, path[1:], rename)
    else:
        _rewrite(value.get(head), path[1:], rename)


def _apply_rewrites(fetch: Fetch, value: Any, typename: str | None = None) -> None:
    """Give the keys the planner aliased (router.planning.key_conflicts) their names back."""
    for rename in fetch.output_rewrites:
        _rewrite(value, rename.path, rename, typename)


def _client_path(fetch: Fetch, path: list[Any]) -> list[Any]:
    """A subgraph error's path with the keys the planner aliased named as the client's."""
    out: list[Any] = []
    keys: tuple[str, ...] = ()
    for step in path:
        entities = step == "_entities" and not out and fetch.requires is not None
        if isinstance(step, str) and not entities:
            above = keys
            keys = (*keys, step)
            step = fetch.client_key(above, step)
        out.append(step)
    return out


def _typename_key(selections: tuple[PlanSelection, ...]) -> str:
    """Where ``selections`` read ``__typename`` (the planner may have aliased it)."""
    for selection in selections:
        if isinstance(selection, PlanField) and selection.name == "__typename":
            return selection.response_key
    return "__typename"


_Requires = list[tuple[str, str, tuple[PlanSelection, ...]]]


def _representation(fetch: Fetch, requires: _Requires, entity: Any) -> dict[str, Any] | None:
    """The representation of ``entity`` for an entity fetch (None when it sends none): the
    requires fragment of its ``__typename`` (or of an interface it implements, for an
    @interfaceObject fetch), with the ``__typename`` an @interfaceObject expects."""
    found = next(((t, s) for k, t, s in requires if entity.get(k) == t), None)
    if found is None and fetch.input_matches:
        matches = fetch.input_matches
        found = next(((t, s) for k, t, s in requires if matches.get(entity.get(k)) == t), None)
    if found is None:
        return None
    representation: dict[str, Any] | None = _select(entity, found[1])
    if representation is not None and found[0] in fetch.typename_rewrites:
        representation["__typename"] = fetch.typename_rewrites[found[0]]
    return representation


def _select(source: Any, selections: tuple[PlanSelection, ...]) -> Any:
    """The representation of ``source`` for ``selections``, or None when a field is missing.

    Fields are read at their response keys and written under their names: a field the
    planner fetched under an internal alias goes out under its real name.
    """
    result: dict[str, Any] = {}
    for selection in selections:
        if not isinstance(selection, PlanField):
            if source.get(_typename_key(selection.selections)) == selection.type_condition:
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
        result[selection.name] = value
    return result


class _Execution:
    def __init__(
        self,
        clients: SubgraphClients,
        variables: Mapping[str, Any],
        data: dict[str, Any],
        null_entities: list[Path],
        root_answer: Mapping[str, Any] | None = None,
    ) -> None:
        self.clients = clients
        self.root_answer = root_answer
        self.variables = variables
        self.data = data
        self.errors: list[dict[str, Any]] = []
        self.null_entities = null_entities

    async def run(self, node: PlanNode) -> None:
        if isinstance(node, Fetch):
            await self.root_fetch(node)
        elif isinstance(node, Flatten):
            await self.entity_fetch(node)
        elif isinstance(node, Sequence):
            for child in node.nodes:
                await self.run(child)
        else:
            await asyncio.gather(*(self.run(child) for child in node.nodes))

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
        return {v: self.variables[v] for v in fetch.variable_usages if v in self.variables}

    async def send(
        self, fetch: Fetch, variables: dict[str, Any], copies: int = 1
    ) -> dict[str, Any] | None:
        """The subgraph's answer, or None and ``copies`` errors (one per merged path)."""
        entities = variables.get("representations") if fetch.requires is not None else None
        with fetch_span(fetch.service_name, None if entities is None else len(entities)) as failed:
            try:
                response = await self.clients.fetch(fetch.service_name, fetch.operation, variables)
            except SubgraphRequestError as error:
                failed.append(True)
                self.fetch_failed(error, copies)
                return None
        collect_report(response)  # for the audit log, never for the client
        return response

    def fetch_failed(self, error: SubgraphRequestError, copies: int) -> None:
        for _ in range(copies):
            self.errors.append(
                {
                    "message": f'Error while fetching subquery from service "'
                    f'{error.service_name}": {error.message}',
                    "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": error.service_name},
                }
            )

    async def root_fetch(self, fetch: Fetch) -> None:
        response = self.root_answer
        if response is not None:  # the first fetch, answered already (a subscription event)
            self.root_answer = None
        else:
            response = await self.send(fetch, self.fetch_variables(fetch))
        if response is None:
            return
        self.add_errors(fetch, response, lambda path: [path])
        data = response.get("data")
        if isinstance(data, dict):
            _apply_rewrites(fetch, data)
            deep_merge(self.data, data)

    async def entity_fetch(self, flatten: Flatten) -> None:
        fetch = flatten.node
        representations, branches = self.representations(flatten)
        if not representations:
            return
        variables = self.fetch_variables(fetch)
        variables["representations"] = representations
        response = await self.send(fetch, variables, copies=len(branches))
        if response is None:
            return
        merged = len(flatten.all_branches) > 1
        entities = response.get("data")
        entities = entities.get("_entities") if isinstance(entities, dict) else None
        if fetch.output_rewrites and isinstance(entities, list):
            for answer, representation in zip(entities, representations, strict=False):
                _apply_rewrites(fetch, answer, representation.get("__typename"))
        for targets in branches:  # errors and data path by path, as separate fetches would
            self.add_errors(fetch, response, functools.partial(targets.error_paths, merged=merged))
            self.merge_entities(fetch, response, len(representations), targets)

    def representations(self, flatten: Flatten) -> tuple[list[Any], list[_Targets]]:
        """The deduplicated representations of the objects at the Flatten's paths, and for
        each path with some, its objects and their representation slots."""
        fetch = flatten.node
        requires: _Requires = [
            (_typename_key(selections), type_name, selections)
            for type_name, selections in fetch.requires_by_type.items()
        ]
        representations: list[Any] = []
        slot_of: dict[bytes, int] = {}
        branches: list[_Targets] = []
        for branch in flatten.all_branches:
            targets = _Targets(branch.selections)
            for entity, entity_path in _objects_at(self.data, branch.path, []):
                representation = _representation(fetch, requires, entity)
                if representation is None:
                    continue
                key = orjson.dumps(representation)
                slot = slot_of.get(key)
                if slot is None:
                    slot = slot_of[key] = len(representations)
                    representations.append(representation)
                targets.add(entity, entity_path, slot)
            if targets.slots:
                branches.append(targets)
        return representations, branches

    def merge_entities(
        self, fetch: Fetch, response: Mapping[str, Any], sent: int, targets: _Targets
    ) -> None:
        data = response.get("data")
        received = data.get("_entities") if isinstance(data, dict) else None
        if received is None:
            return
        if not isinstance(received, list) or len(received) != sent:
            own = len(set(targets.slots))  # what this path alone would have sent
            self.errors.append(
                {
                    "message": f'Expected "data._entities" to contain {own} elements',
                    "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": fetch.service_name},
                }
            )
            return
        for (entity, path), slot in zip(targets.objects, targets.slots, strict=True):
            answer = received[slot]
            if isinstance(answer, dict):
                if targets.selections is not None:
                    answer = _project(answer, targets.selections)
                if fetch.typename_rewrites:  # an interface object tells the interface's name
                    answer = _keep_concrete_typename(entity, answer, fetch.selections)
                deep_merge(entity, answer)
            elif answer is None:
                self.null_entities.append(path)

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
            if isinstance(path, list) and fetch.output_rewrites:  # the client's keys
                path = _client_path(fetch, path)
            for new_path in repath(list(path)) if isinstance(path, list) else [None]:
                body: dict[str, Any] = {"message": message}
                if new_path is not None:
                    body["path"] = new_path
                body["extensions"] = extensions
                self.errors.append(body)


class _Targets:
    """The objects one path of a ``Flatten`` sends, with their representation slots."""

    def __init__(self, selections: tuple[PlanSelection, ...] | None) -> None:
        self.selections = selections  # None: the path asked for all of the fetch's fields
        self.objects: list[tuple[dict[str, Any], Path]] = []
        self.slots: list[int] = []

    def add(self, entity: dict[str, Any], path: Path, slot: int) -> None:
        self.objects.append((entity, path))
        self.slots.append(slot)

    def error_paths(self, path: Path, merged: bool) -> list[Path | None]:
        """Re-path an ``_entities`` error to every object that sent that representation.

        In a merged fetch, an error this path did not cause (another path's representation
        or field) is not its own: it gets none.
        """
        if len(path) < 2 or path[0] != "_entities" or not isinstance(path[1], int):
            return [None]
        rest = path[2:]
        if self.selections is not None and not _selects(self.selections, rest):
            return []
        found: list[Path | None] = [
            entity_path + rest
            for (_, entity_path), slot in zip(self.objects, self.slots, strict=True)
            if slot == path[1]
        ]
        return found or ([] if merged else [None])


def _keep_concrete_typename(
    entity: Mapping[str, Any], answer: dict[str, Any], selections: tuple[PlanSelection, ...]
) -> dict[str, Any]:
    """``answer`` without the ``__typename`` an @interfaceObject subgraph gave (its interface
    name) where the entity already has one (its concrete type)."""
    keys = {
        s.response_key
        for fragment in selections
        if isinstance(fragment, PlanFragment)
        for s in fragment.selections
        if isinstance(s, PlanField) and s.name == "__typename" and s.response_key in entity
    }
    return {k: v for k, v in answer.items() if k not in keys} if keys else answer


def _fields(selections: tuple[PlanSelection, ...]) -> Iterator[PlanField]:
    for selection in selections:
        if isinstance(selection, PlanField):
            yield selection
        else:
            yield from _fields(selection.selections)


def _selects(selections: tuple[PlanSelection, ...], path: Path) -> bool:
    """Whether ``path`` (response keys and list indexes) stays inside ``selections``."""
    for key in path:
        if isinstance(key, int):
            continue
        field = next((f for f in _fields(selections) if f.response_key == key), None)
        if field is None:
            return False
        selections = field.selections
    return True


def _project(value: Any, selections: tuple[PlanSelection, ...]) -> Any:
    """The part of an answer that ``selections`` asked for (lists item by item)."""
    if isinstance(value, list):
        return [_project(item, selections) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for field in _fields(selections):
        key = field.response_key
        if key in value:
            out[key] = _project(value[key], field.selections) if field.selections else value[key]
    return out


async def execute_plan(
    plan: QueryPlan,
    clients: SubgraphClients,
    variables: Mapping[str, Any],
    null_entities: list[Path] | None = None,
    *,
    root_answer: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run ``plan``; return the merged (unshaped) data and the errors collected.

    ``null_entities``, when given, receives the path of every object a subgraph answered
    ``null`` for in ``_entities`` (its fields stay missing: the subgraph's null, not the
    router's; ``router.response_coverage`` needs to tell the two apart).
    ``root_answer``: the answer of the plan's first fetch, received already (the event of
    a subscription, whose root fetch is the subscription itself): that fetch is not sent.
    """
    entities = [] if null_entities is None else null_entities
    answer = None if root_answer is None else dict(root_answer)
    execution = _Execution(clients, variables, {}, entities, answer)
    if plan.node is not None:
        await execution.run(plan.node)
    return execution.data, execution.errors
