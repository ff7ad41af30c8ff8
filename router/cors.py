"""Cross-origin requests: which web origins may call the router from a browser.

A web app served from another origin (a dev server on ``http://localhost:3000``) sends an
``OPTIONS`` preflight before its ``POST`` with ``Content-Type: application/json``; without
an ``Access-Control-Allow-Origin`` answer the browser drops the response. Starlette's
:class:`~starlette.middleware.cors.CORSMiddleware` does the protocol; this module only
holds the policy: an explicit allowlist of origins, plus (for the development platform)
any origin on the local machine, whatever its port.

No policy (the default of ``python -m router serve``) means no CORS headers at all:
same-origin pages (GraphiQL) and non-browser clients need none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

__all__ = ["LOCALHOST", "LOCALHOST_ORIGIN_PATTERN", "CorsPolicy"]

# The allowlist entry that stands for every origin on this machine, any port.
LOCALHOST = "localhost"
LOCALHOST_ORIGIN_PATTERN = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"

_METHODS = ("GET", "POST")
_PREFLIGHT_CACHE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Origins (``scheme://host[:port]``) allowed to read the router's responses."""

    origins: tuple[str, ...] = ()
    allow_localhost: bool = False

    @classmethod
    def parse(cls, entries: Iterable[str]) -> CorsPolicy:
        """From ``--cors-origin`` values or ``ROUTER_CORS_ORIGINS`` (comma-separated):
        each an origin, or ``localhost``; ``*`` is refused (name the origins)."""
        origins: list[str] = []
        allow_localhost = False
        for entry in entries:
            for item in (part.strip().rstrip("/") for part in entry.split(",")):
                if not item:
                    continue
                if item == LOCALHOST:
                    allow_localhost = True
                elif item == "*" or not re.fullmatch(r"https?://[^/\s]+", item):
                    raise ValueError(
                        f"CORS origin {item!r} is not scheme://host[:port] or {LOCALHOST!r}"
                    )
                else:
                    origins.append(item.lower())
        return cls(tuple(origins), allow_localhost)

    @property
    def enabled(self) -> bool:
        return bool(self.origins) or self.allow_localhost

    def middleware(self) -> list[Middleware]:
        """The middleware enforcing this policy (none when no origin is allowed)."""
        if not self.enabled:
            return []
        return [
            Middleware(
                CORSMiddleware,
                allow_origins=list(self.origins),
                allow_origin_regex=LOCALHOST_ORIGIN_PATTERN if self.allow_localhost else None,
                allow_methods=list(_METHODS),
                allow_headers=["*"],
                max_age=_PREFLIGHT_CACHE_SECONDS,
            )
        ]
