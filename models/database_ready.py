"""``python -m models.database_ready URL``: exit 0 when the database answers, 1 otherwise.

Used by ``make test`` to decide whether the PostgreSQL run can happen on this machine.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from models.database import open_database

__all__ = ["is_ready"]


async def is_ready(url: str, timeout: float = 5.0) -> bool:
    database = open_database(url)
    try:
        async with asyncio.timeout(timeout), database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    finally:
        await database.dispose()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(is_ready(sys.argv[1])) else 1)
