"""The ``audit`` section of ``router.yaml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AuditConfig"]


class AuditConfig(BaseModel):
    """The audit log of mutations and unmasked personal-data reads (:mod:`router.audit`).

    ``database_url``: default ``api_keys.database_url``, else ``DATABASE_URL`` (the router's
    own database). ``spool_path`` keeps records the database could not take (written back
    once it can); ``queue_size`` records wait in memory for the background writer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    database_url: str | None = None
    spool_path: Path = Path("var") / "audit-spool.jsonl"
    queue_size: int = Field(default=10_000, ge=1, le=1_000_000)
