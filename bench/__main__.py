"""``python -m bench [--quick] [--only STAGES] [--duration S] [--rounds N] [--connections C]``

Runs every benchmark in one session and writes ``bench/RESULTS.md``. ``--quick`` measures
the data layer at 10k and 100k orders only (seeding 1M takes minutes the first time; seeded
databases are reused afterwards). ``--only`` runs the stages named (comma-separated):
node-fleet, project-fleet, workers, fault, feature-cost, security-cost, telemetry-cost, data-layer.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.databases import SCALES, postgres_version
from bench.environment import BENCH_DIR, machine_description, versions
from bench.report import RunResults, render
from bench.routers import LoadSettings
from bench.stages import STAGES, RunPlan, run_stages

__all__ = ["main", "stage_names"]


def stage_names(text: str) -> tuple[str, ...]:
    """``--only``'s comma-separated stage names, checked against :data:`STAGES`."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in STAGES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown stage {', '.join(unknown) or '(none given)'}; stages: {', '.join(STAGES)}"
        )
    return names


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="data layer at 10k and 100k only")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per router")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument(
        "--only", type=stage_names, default=tuple(STAGES), metavar="STAGE[,STAGE]",
        help="run only these stages: " + ", ".join(STAGES),
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    settings = LoadSettings(args.connections, args.duration, rounds=args.rounds)
    work_dir = Path(tempfile.mkdtemp(prefix="ops-bench-"))
    print(f"bench: logs and supergraphs in {work_dir}", flush=True)
    plan = RunPlan(settings, work_dir, SCALES[:2] if args.quick else SCALES, not args.no_profile)
    results = RunResults(
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        elapsed_seconds=0.0,
        machine=machine_description(),
        versions=versions(asyncio.run(postgres_version())),
        settings=settings,
        command=shlex.join(sys.argv[1:] if argv is None else argv),
    )
    run_stages(plan, results, args.only)
    results.elapsed_seconds = time.perf_counter() - started
    args.output.write_text(render(results), encoding="utf-8")
    print(f"bench: wrote {args.output} in {results.elapsed_seconds:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
