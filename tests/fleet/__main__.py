"""Serve the Python fleet on real ports, for manual runs against Apollo Gateway.

    python -m tests.fleet --base-port 4001

starts accounts, products, inventory and reviews on 127.0.0.1:N..N+3 and, once all four
listen, prints the same ``READY accounts=URL products=URL ...`` line as the Node fleet
(``fixtures/fleet.mjs``), so it can be pasted into ``compose.mjs``. SIGINT/SIGTERM stop it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Generator, Sequence

import uvicorn

from tests.fleet.apps import DEFAULT_BASE_PORT, FLEET_HOST, fleet_apps, fleet_urls

__all__ = ["main", "serve_fleet"]


class _FleetServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to :func:`serve_fleet`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_fleet(base_port: int) -> None:
    servers = [
        _FleetServer(
            uvicorn.Config(app, host=FLEET_HOST, port=base_port + offset, log_level="warning")
        )
        for offset, app in enumerate(fleet_apps().values())
    ]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _stop, servers)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            _stop(servers)
            await asyncio.gather(*tasks)
            raise SystemExit("fleet failed to start")
        await asyncio.sleep(0.02)
    urls = fleet_urls(base_port)
    print("READY " + " ".join(f"{name}={url}" for name, url in urls.items()), flush=True)
    await asyncio.gather(*tasks)


def _stop(servers: Sequence[uvicorn.Server]) -> None:
    for server in servers:
        server.should_exit = True


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fleet", description=__doc__)
    parser.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT)
    args = parser.parse_args(argv)
    asyncio.run(serve_fleet(args.base_port))


if __name__ == "__main__":
    main()
