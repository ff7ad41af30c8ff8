"""CSRF prevention as Apollo Router (and Apollo Server) do it.

A browser sends a "simple" request, a GET or a POST whose content type is
``text/plain``, ``multipart/form-data``, ``application/x-www-form-urlencoded`` or absent,
without a CORS preflight: another site could make a logged-in user's browser run an
operation (the CORS policy only stops it reading the answer). So such a request must
carry one of the preflight headers (``x-apollo-operation-name``,
``apollo-require-preflight``; a browser only sends custom headers after a preflight the
CORS policy approved), else 400 ``CSRF_ERROR`` before anything runs. A request with any
other content type (``application/json``) was preflighted already. The CORS middleware
allows every request header, so the preflight headers pass an allowed origin's preflight.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from router.http_protocol import HTTPProblem

__all__ = [
    "DEFAULT_REQUIRED_HEADERS",
    "NON_PREFLIGHTED_CONTENT_TYPES",
    "CsrfConfig",
    "CsrfPrevention",
]

NON_PREFLIGHTED_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
DEFAULT_REQUIRED_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")


class CsrfConfig(BaseModel):
    """``csrf:`` in router.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    required_headers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REQUIRED_HEADERS), min_length=1
    )


class CsrfPrevention:
    def __init__(self, required_headers: tuple[str, ...] = DEFAULT_REQUIRED_HEADERS) -> None:
        self.required_headers = tuple(name.lower() for name in required_headers)
        self._message = (
            "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
            "Please either specify a 'content-type' header (with a mime-type that is not one "
            f"of {', '.join(NON_PREFLIGHTED_CONTENT_TYPES)}) or provide one of the following "
            f"headers: {', '.join(self.required_headers)}"
        )

    @classmethod
    def from_config(cls, config: CsrfConfig) -> CsrfPrevention | None:
        return cls(tuple(config.required_headers)) if config.enabled else None

    def check(self, headers: Mapping[str, str]) -> None:
        """Raise 400 ``CSRF_ERROR`` for a request a browser would send unpreflighted."""
        if _is_preflighted(headers.get("content-type")):
            return
        if any(headers.get(name, "").strip() for name in self.required_headers):
            return
        raise HTTPProblem(400, "CSRF_ERROR", self._message)


def _is_preflighted(content_type: str | None) -> bool:
    if content_type is None:
        return False
    essence = content_type.split(";", 1)[0].strip().lower()
    if not essence:
        return False
    return essence not in NON_PREFLIGHTED_CONTENT_TYPES
