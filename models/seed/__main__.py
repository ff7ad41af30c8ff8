"""``python -m models.seed [--customers N] [--orders N] [--reset] [--domain D ...]``"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

from models.database import database_url, open_database
from models.seed.generate import Scale
from models.seed.run import SEEDERS, domains_in_order, seed_domain

_DEFAULTS = Scale()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m models.seed", description=__doc__)
    parser.add_argument("--customers", type=int, default=_DEFAULTS.customers)
    parser.add_argument("--orders", type=int, default=_DEFAULTS.orders)
    parser.add_argument("--products", type=int, default=0, help="0: derived from --customers")
    parser.add_argument("--warehouses", type=int, default=_DEFAULTS.warehouses)
    parser.add_argument("--seed", type=int, default=_DEFAULTS.seed, help="random seed")
    parser.add_argument(
        "--reset", action="store_true", help="drop the tables first"
    )
    parser.add_argument("--domain", action="append", choices=sorted(SEEDERS), help="only these")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


async def _seed(args: argparse.Namespace) -> None:
    scale = Scale(args.customers, args.orders, args.products, args.warehouses, args.seed)
    for domain in domains_in_order(args.domain):
        database = open_database(database_url(domain))
        started = time.perf_counter()
        try:
            seeded = await seed_domain(
                database, domain, scale, reset=args.reset, show_progress=not args.quiet
            )
        finally:
            await database.dispose()
        verdict = f"seeded in {time.perf_counter() - started:.1f}s" if seeded else "already seeded"
        print(f"{domain}: {verdict}", flush=True)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_seed(_parse(argv)))


if __name__ == "__main__":
    main()
