"""The reservation sweeper: releases reservations whose order was never written (a crash
between the reservation and the order's insert) once they expire (``reservations``)."""

from __future__ import annotations

import asyncio
import logging

from events.bus import EventBus
from models.database import Database
from subgraphs.inventory.reservations import sweep_expired

__all__ = ["SWEEP_INTERVAL", "sweep_forever"]

logger = logging.getLogger("subgraphs.inventory.sweeper")

SWEEP_INTERVAL = 30.0


async def sweep_forever(
    database: Database, _bus: EventBus, *, interval: float = SWEEP_INTERVAL
) -> None:
    """Inventory's background sweeper (a worker): until cancelled."""
    while True:
        try:
            released = await sweep_expired(database)
            if released:
                logger.warning("released %s expired reservation row(s)", released)
        except Exception:
            logger.exception("reservation sweep failed")
        await asyncio.sleep(interval)
