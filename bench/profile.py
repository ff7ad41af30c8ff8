"""Sample our router with py-spy while it is under load, and summarise where the time goes.

py-spy records raw collapsed stacks (``frame;frame;... count``) from outside the process, so
the router runs unmodified. The summary gives the share of samples by package of the
innermost frame (where the CPU actually is), the hottest functions, and the router's own
functions by inclusive share (which pipeline stage pays for it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from bench.load import LoadResult, RequestBody, run_load

__all__ = ["Profile", "profile_under_load", "py_spy_executable", "summarise"]

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]+)(?::\d+)?\)$")


class Profile(NamedTuple):
    samples: int
    load: LoadResult | None
    by_package: tuple[tuple[str, float], ...]
    hottest: tuple[tuple[str, float], ...]
    router_inclusive: tuple[tuple[str, float], ...]


def py_spy_executable() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def _package(frame: str) -> str:
    """The top-level package of a frame's file (py-spy prints paths from ``sys.path``)."""
    match = _FRAME.match(frame)
    if match is None:
        return "other"
    file = match["file"]
    if file.startswith("<frozen"):
        return "importlib"
    return file.split("/", 1)[0].removesuffix(".py")


def _shares(counter: Counter[str], total: int, top: int) -> tuple[tuple[str, float], ...]:
    return tuple((name, 100 * count / total) for name, count in counter.most_common(top))


def summarise(lines: Iterable[str], top: int = 12) -> Profile:
    by_package: Counter[str] = Counter()
    hottest: Counter[str] = Counter()
    router_inclusive: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        by_package[_package(frames[-1])] += count
        hottest[frames[-1]] += count
        for frame in set(frames):
            if "(router/" in frame and "__main__" not in frame:
                router_inclusive[frame] += count
    total = max(total, 1)
    return Profile(
        total,
        None,
        _shares(by_package, total, top),
        _shares(hottest, total, top),
        _shares(router_inclusive, total, top),
    )


def profile_under_load(
    pid: int,
    url: str,
    bodies: Sequence[RequestBody],
    *,
    connections: int,
    duration: int,
    output: Path,
) -> Profile:
    """Record ``pid`` with py-spy for ``duration`` seconds while loading ``url``."""
    py_spy = py_spy_executable()
    if py_spy is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    recorder = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200",
         "--format", "raw", "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        load = run_load(url, bodies, connections=connections, duration=duration)
    finally:
        _, stderr = recorder.communicate(timeout=duration + 30)
    if recorder.returncode != 0 or not output.exists():
        raise RuntimeError(f"py-spy failed: {stderr.decode(errors='replace').strip()[-500:]}")
    with output.open(encoding="utf-8") as lines:
        return summarise(lines)._replace(load=load)
