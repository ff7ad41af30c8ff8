"""Where the other domains listen: the URLs a subgraph uses to call its peers.

One rule for every process, so the pieces run on any host and port without editing a
file. For each domain, the first of:

1. ``--peer NAME=URL`` on the command line;
2. the environment variable ``SUBGRAPH_URL_<NAME>`` (``SUBGRAPH_URL_PRODUCTS=...``), the
   same variables ``python -m router serve`` reads for its routing URLs;
3. the ``routing_url`` of the domain in ``supergraph.yaml`` (the config file composition
   reads; by default the one in the working directory).

A peer the domain calls that none of them names is an error at start-up, never a silent
guess.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml

__all__ = [
    "DEFAULT_CONFIG",
    "MissingPeer",
    "environment_variable",
    "peer_urls",
    "routing_urls_from_config",
]

DEFAULT_CONFIG = Path("supergraph.yaml")


class MissingPeer(ValueError):
    """A domain this one calls has no URL anywhere."""


def environment_variable(name: str) -> str:
    """``SUBGRAPH_URL_<NAME>``: upper case, anything but letters and digits as ``_``."""
    return "SUBGRAPH_URL_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def routing_urls_from_config(path: Path) -> dict[str, str]:
    """Each subgraph's ``routing_url`` in a Rover ``supergraph.yaml``."""
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    subgraphs = config.get("subgraphs") if isinstance(config, dict) else None
    urls = {}
    for name, entry in (subgraphs or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("routing_url"), str):
            urls[str(name)] = entry["routing_url"]
    return urls


def peer_urls(
    domain: str,
    calls: Iterable[str],
    *,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> dict[str, str]:
    """The URL of every domain in ``calls``; raises :class:`MissingPeer` or ValueError."""
    environ = os.environ if environ is None else environ
    from_config = routing_urls_from_config(config) if config is not None else {}
    from_flags: dict[str, str] = {}
    for item in overrides:
        name, sep, given = item.partition("=")
        if not sep or not name or not given:
            raise ValueError(f"--peer expects NAME=URL, got {item!r}")
        from_flags[name] = given
    calls = tuple(calls)
    unknown = sorted(set(from_flags) - set(calls))
    if unknown:
        raise ValueError(f"{domain} does not call {', '.join(unknown)} (--peer)")
    urls: dict[str, str] = {}
    for peer in calls:
        url = (
            from_flags.get(peer) or environ.get(environment_variable(peer)) or from_config.get(peer)
        )
        if not url:
            where = f" or list it in {config}" if config is not None else ""
            raise MissingPeer(
                f"{domain} calls {peer}, whose URL is not configured: set "
                f"{environment_variable(peer)}=URL or pass --peer {peer}=URL{where}"
            )
        urls[peer] = url
    return urls
