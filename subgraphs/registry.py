"""The domains of the platform: where each subgraph's schema and tables live, its default
port, which other domains it calls, and the background work it runs (``workers``,
``module:function`` names of :data:`~subgraphs.common.app.Worker` functions)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import strawberry
from sqlalchemy import MetaData
from starlette.applications import Starlette

from models.database import Database
from subgraphs.common.app import Worker, create_subgraph_app
from subgraphs.common.peers import Peers

__all__ = ["DOMAINS", "Domain", "create_app", "local_url"]


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    port: int
    schema_module: str
    models_module: str
    calls: tuple[str, ...] = ()
    workers: tuple[str, ...] = ()

    @property
    def schema(self) -> strawberry.federation.Schema:
        schema: strawberry.federation.Schema = importlib.import_module(self.schema_module).schema
        return schema

    @property
    def metadata(self) -> MetaData:
        metadata: MetaData = importlib.import_module(self.models_module).Base.metadata
        return metadata

    @property
    def worker_functions(self) -> tuple[Worker, ...]:
        return tuple(_function(name) for name in self.workers)


def _function(name: str) -> Worker:
    module, _, attribute = name.partition(":")
    function: Worker = getattr(importlib.import_module(module), attribute)
    return function


DOMAINS: dict[str, Domain] = {
    domain.name: domain
    for domain in (
        Domain(
            "customers",
            4001,
            "subgraphs.customers.schema",
            "models.customers",
            calls=("orders", "inventory", "marketing"),
            workers=("subgraphs.customers.erasure_retrier:retry_erasures_forever",),
        ),
        Domain("products", 4002, "subgraphs.products.schema", "models.products"),
        Domain(
            "orders",
            4003,
            "subgraphs.orders.schema",
            "models.orders",
            calls=("customers", "products", "inventory", "marketing"),
        ),
        Domain(
            "inventory", 4004, "subgraphs.inventory.schema", "models.inventory", calls=("products",)
        ),
        Domain("marketing", 4005, "subgraphs.marketing.schema", "models.marketing"),
    )
}


def create_app(
    name: str, database: Database, peers: Peers | None = None, *, create_tables: bool = True
) -> Starlette:
    domain = DOMAINS[name]
    return create_subgraph_app(
        name,
        domain.schema,
        database,
        domain.metadata,
        peers,
        create_tables=create_tables,
        workers=domain.worker_functions,
    )


def local_url(name: str, host: str = "127.0.0.1") -> str:
    """Where domain ``name`` listens by default (the routing URL in ``supergraph.yaml``)."""
    return f"http://{host}:{DOMAINS[name].port}/graphql"
