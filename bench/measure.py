"""CPU time and peak memory of a running process, read from ``/proc`` (Linux).

CPU per request is the growth of ``utime + stime`` over a load window divided by the
requests served in it; peak memory is ``VmHWM``, the high-water mark of the resident set
since the process started.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cpu_seconds", "peak_rss_mib"]

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time consumed so far by ``pid``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may contain spaces: split after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _CLOCK_TICKS


def peak_rss_mib(pid: int) -> float:
    """The peak resident set size of ``pid`` (``VmHWM``) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for process {pid}")
