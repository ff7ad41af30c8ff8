"""Response compression: gzip when the client accepts it and the body is worth it.

Customer lists and plans compress 5-10x; a few hundred bytes do not pay for the CPU.
Starlette's :class:`~starlette.middleware.gzip.GZipMiddleware` negotiates
``Accept-Encoding``, adds ``Vary: Accept-Encoding`` and leaves bodies under the threshold
alone. (Brotli would need a compiled extension the project does not otherwise depend on.)
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

__all__ = ["DEFAULT_MIN_COMPRESS_BYTES", "compression_middleware"]

DEFAULT_MIN_COMPRESS_BYTES = 1024
_GZIP_LEVEL = 6  # zlib's default: most of level 9's ratio at a fraction of its CPU


def compression_middleware(min_bytes: int | None = DEFAULT_MIN_COMPRESS_BYTES) -> list[Middleware]:
    """Gzip responses of at least ``min_bytes``; ``None`` turns compression off."""
    if min_bytes is None:
        return []
    return [Middleware(GZipMiddleware, minimum_size=min_bytes, compresslevel=_GZIP_LEVEL)]
