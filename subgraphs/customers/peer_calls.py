"""What the customers domain asks of the others for a person's data rights: each domain's
internal export and erase fields (``export<Domain>CustomerData``,
``erase<Domain>CustomerData``), over GraphQL through ``Peers`` with the caller's identity."""

from __future__ import annotations

from typing import Any

from subgraphs.common.peers import Peers

__all__ = ["PEER_DOMAINS", "erase_in", "export_from"]

# The domains besides customers that hold data about a customer (products holds none).
PEER_DOMAINS = ("orders", "inventory", "marketing")


def _field(action: str, domain: str) -> str:
    return f"{action}{domain.capitalize()}CustomerData"


async def export_from(peers: Peers, domain: str, customer_id: int) -> dict[str, Any]:
    field = _field("export", domain)
    data = await peers.query(
        domain, f"query($id: ID!) {{ {field}(customerId: $id) }}", {"id": str(customer_id)}
    )
    exported: dict[str, Any] = data[field]
    return exported


async def erase_in(peers: Peers, domain: str, customer_id: int, salt: str) -> int:
    """How many records ``domain`` changed (0 when it had already erased them)."""
    field = _field("erase", domain)
    data = await peers.query(
        domain,
        f"mutation($id: ID!, $salt: String!) {{ {field}(customerId: $id, salt: $salt) }}",
        {"id": str(customer_id), "salt": salt},
    )
    return int(data[field])
