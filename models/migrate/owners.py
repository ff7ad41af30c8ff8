"""Who owns which tables: one migration history per owner.

Each business domain owns its tables (its ``Base.metadata``), the router owns the API keys
and the audit log, and the embedded event bus owns its log. Each owner has its own Alembic
history (``models/migrations/versions/<owner>``) and its own version table
(``alembic_version_<owner>``), so owners can share one database (the embedded SQLite
default) or each have their own (``DATABASE_URL_<OWNER>``) and be migrated independently.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData

__all__ = ["MIGRATIONS_DIRECTORY", "OWNERS", "Owner", "owner_of"]

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parents[1] / "migrations"


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    models_module: str
    base_name: str = "Base"

    @property
    def metadata(self) -> MetaData:
        base = getattr(importlib.import_module(self.models_module), self.base_name)
        metadata: MetaData = base.metadata
        return metadata

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"

    @property
    def versions_directory(self) -> Path:
        return MIGRATIONS_DIRECTORY / "versions" / self.name


OWNERS: dict[str, Owner] = {
    owner.name: owner
    for owner in (
        Owner("customers", "models.customers"),
        Owner("products", "models.products"),
        Owner("orders", "models.orders"),
        Owner("inventory", "models.inventory"),
        Owner("marketing", "models.marketing"),
        # router_keys and router_audit share RouterBase (the audit module adds its table).
        Owner("router", "models.router_audit", "RouterBase"),
        Owner("events", "models.event_store"),
    )
}


def owner_of(name: str) -> Owner:
    try:
        return OWNERS[name]
    except KeyError:
        known = ", ".join(OWNERS)
        raise ValueError(f"unknown migration owner {name!r} (known: {known})") from None
