"""A database that is down and can be brought up, for the current backend.

PostgreSQL (``DATABASE_URL`` set): the URL points at a TCP relay on a port of this test's
range; down means nothing listens there, up relays to the real server. SQLite: the URL
names a file under a path whose parent is a regular file (it cannot be opened); up
replaces that file with a directory holding a consistent copy of the seeded database.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from models.database import Database

__all__ = ["Outage"]


class Outage:
    def __init__(self, seeded: Database, tmp_path: Path, port: int) -> None:
        self._seeded_url = seeded.engine.url
        self._tmp_path = tmp_path
        self._port = port
        self._server: asyncio.Server | None = None
        self._relays: set[asyncio.Task[None]] = set()
        if self.is_postgresql:
            self.url = self._seeded_url.set(host="127.0.0.1", port=port).render_as_string(
                hide_password=False
            )
        else:
            self._blocker = tmp_path / "down"
            self._blocker.write_text("not a directory")
            self.url = f"sqlite+aiosqlite:///{self._blocker / 'store.db'}"

    @property
    def is_postgresql(self) -> bool:
        return self._seeded_url.get_backend_name() == "postgresql"

    async def up(self) -> None:
        if self.is_postgresql:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self._port)
            return
        self._blocker.unlink()
        self._blocker.mkdir()
        source = make_url(str(self._seeded_url)).database
        with (
            sqlite3.connect(str(source)) as src,
            sqlite3.connect(str(self._blocker / "store.db")) as dst,
        ):
            src.backup(dst)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._relays):
                task.cancel()
            await asyncio.gather(*self._relays, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = self._seeded_url.host or "127.0.0.1"
        upstream_reader, upstream_writer = await asyncio.open_connection(
            host, self._seeded_url.port or 5432
        )
        pipes = [
            asyncio.create_task(_pipe(reader, upstream_writer)),
            asyncio.create_task(_pipe(upstream_reader, writer)),
        ]
        self._relays.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
                self._relays.discard(pipe)
            for stream in (writer, upstream_writer):
                with contextlib.suppress(Exception):
                    stream.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
