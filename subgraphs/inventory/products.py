"""Whether a product exists: the products domain owns that. Inventory asks it (through
``Peers``) only for a product it holds no stock level of yet, so adjusting a stocked
product costs no call."""

from __future__ import annotations

from sqlalchemy import select

from models.database import Database
from models.inventory import StockLevel
from subgraphs.common.peers import Peers

__all__ = ["product_exists"]

_PRODUCT = """query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id } }
}"""


async def _stocked(database: Database, product_id: int) -> bool:
    async with database.reads() as session:
        found = await session.scalar(
            select(StockLevel.product_id).where(StockLevel.product_id == product_id).limit(1)
        )
    return found is not None


async def product_exists(database: Database, peers: Peers, product_id: int) -> bool:
    if await _stocked(database, product_id):
        return True
    data = await peers.query(
        "products",
        _PRODUCT,
        {"representations": [{"__typename": "Product", "id": str(product_id)}]},
    )
    entities = data.get("_entities") or [None]
    return entities[0] is not None
