"""The interface-object fixture: assets own the entity interface ``Asset`` (servers and
switches), monitoring adds health and alerts to it as an ``@interfaceObject``, tickets refer
to assets through a non-resolvable ``@interfaceObject``.

``interface_object_fixture(base_port)`` returns the supergraph (routing URLs on
``base_port`` .. ``base_port + 2``) and the ASGI app of each subgraph, for the router tests
here and for differential harnesses.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.router.interface_object.subgraph import Subgraph

__all__ = [
    "BASE_PORT",
    "SUBGRAPH_NAMES",
    "SUBGRAPH_SDL",
    "SUPERGRAPH",
    "interface_object_apps",
    "interface_object_fixture",
    "supergraph_on",
]

_HERE = Path(__file__).parent
BASE_PORT = 15111  # the routing URLs of supergraph.graphql: assets, monitoring, tickets
SUBGRAPH_NAMES = ("assets", "monitoring", "tickets")
SUBGRAPH_SDL = {
    name: (_HERE / f"{name}.graphql").read_text(encoding="utf-8") for name in SUBGRAPH_NAMES
}
SUPERGRAPH = (_HERE / "supergraph.graphql").read_text(encoding="utf-8")

_SITES = {"AMS": {"code": "AMS", "city": "Amsterdam"}, "FRA": {"code": "FRA", "city": "Frankfurt"}}
_ASSETS: dict[str, dict[str, Any]] = {
    "srv-1": {"__typename": "Server", "id": "srv-1", "name": "web-01", "site": "AMS", "cores": 16},
    "srv-2": {"__typename": "Server", "id": "srv-2", "name": "db-01", "site": "FRA", "cores": 64},
    "sw-1": {"__typename": "Switch", "id": "sw-1", "name": "core-sw", "site": "AMS", "ports": 48},
    "sw-2": {"__typename": "Switch", "id": "sw-2", "name": "edge-sw", "site": None, "ports": 24},
}
_HEALTH: dict[str, dict[str, Any]] = {
    "srv-1": {"status": "OK", "uptime": 99.9},
    "srv-2": {"status": "DEGRADED", "uptime": 97.5},
    "sw-1": {"status": "DOWN", "uptime": None},
    "gone-1": {"status": "DOWN", "uptime": 0.5},  # decommissioned: unknown to assets
}
_ALERTS: list[dict[str, Any]] = [
    {"id": "al-1", "message": "disk almost full", "asset": "srv-2"},
    {"id": "al-2", "message": "port flapping", "asset": "sw-1"},
    {"id": "al-3", "message": "high load", "asset": "srv-2"},
]
_TICKETS: list[dict[str, Any]] = [
    {"id": "t-1", "title": "replace disk", "asset": "srv-2"},
    {"id": "t-2", "title": "upgrade firmware", "asset": "sw-1"},
    {"id": "t-3", "title": "order cables", "asset": None},
    {"id": "t-4", "title": "rack the new switch", "asset": "sw-2"},
]


def _asset(asset_id: str | None) -> dict[str, Any] | None:
    """An asset as the assets subgraph knows it (its concrete type)."""
    found = _ASSETS.get(asset_id or "")
    if found is None:
        return None
    return {**found, "site": _SITES.get(found["site"] or "")}


def _assets() -> Subgraph:
    def entity_asset(representation: Mapping[str, Any]) -> dict[str, Any] | None:
        found = _asset(representation["id"])
        if found is None or representation["__typename"] not in ("Asset", found["__typename"]):
            return None
        return found

    return Subgraph(
        SUBGRAPH_SDL["assets"],
        root={
            "assets": lambda _info: [_asset(i) for i in _ASSETS],
            "asset": lambda _info, id: _asset(id),
        },
        entities={
            "Asset": entity_asset,
            "Server": entity_asset,
            "Switch": entity_asset,
            "Site": lambda r: _SITES.get(r["code"]),
        },
    )


def _monitored(asset_id: str) -> dict[str, Any]:
    """An asset as monitoring knows it: an ``Asset`` object, whatever its concrete type."""
    return {
        "__typename": "Asset",
        "id": asset_id,
        "health": _HEALTH.get(asset_id, {"status": "UNKNOWN", "uptime": None}),
        "alerts": lambda _info: [_alert(a) for a in _ALERTS if a["asset"] == asset_id],
    }


def _alert(alert: Mapping[str, Any]) -> dict[str, Any]:
    return {**alert, "__typename": "Alert", "asset": _monitored(alert["asset"])}


def _monitoring() -> Subgraph:
    return Subgraph(
        SUBGRAPH_SDL["monitoring"],
        root={
            "unhealthy": lambda _info: [
                _monitored(i) for i, h in _HEALTH.items() if h["status"] != "OK"
            ],
            "alerts": lambda _info: [_alert(a) for a in _ALERTS],
        },
        entities={
            "Asset": lambda r: _monitored(r["id"]),
            "Alert": lambda r: next((_alert(a) for a in _ALERTS if a["id"] == r["id"]), None),
        },
    )


def _ticket(ticket: Mapping[str, Any]) -> dict[str, Any]:
    asset = {"__typename": "Asset", "id": ticket["asset"]} if ticket["asset"] else None
    return {**ticket, "__typename": "Ticket", "asset": asset}


def _tickets() -> Subgraph:
    return Subgraph(
        SUBGRAPH_SDL["tickets"],
        root={"tickets": lambda _info: [_ticket(t) for t in _TICKETS]},
        entities={
            "Ticket": lambda r: next((_ticket(t) for t in _TICKETS if t["id"] == r["id"]), None)
        },
    )


def interface_object_apps() -> dict[str, Subgraph]:
    """The subgraphs' ASGI apps by name, in port order (each records its requests)."""
    return {"assets": _assets(), "monitoring": _monitoring(), "tickets": _tickets()}


def supergraph_on(base_port: int) -> str:
    """The supergraph with its routing URLs moved to ``base_port`` .. ``base_port + 2``."""
    sdl = SUPERGRAPH
    for offset in range(len(SUBGRAPH_NAMES)):
        sdl = sdl.replace(f"127.0.0.1:{BASE_PORT + offset}/", f"127.0.0.1:{base_port + offset}/")
    return sdl


def interface_object_fixture(base_port: int = BASE_PORT) -> tuple[str, dict[str, Subgraph]]:
    """(supergraph SDL routed to ``base_port`` .., ASGI apps by subgraph name)."""
    return supergraph_on(base_port), interface_object_apps()
