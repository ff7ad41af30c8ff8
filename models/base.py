"""Shared column conventions; every domain derives its own declarative base from here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, MetaData

__all__ = ["NAMING_CONVENTION", "TYPE_ANNOTATION_MAP", "Identifier", "domain_metadata", "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
Identifier = BigInteger().with_variant(Integer(), "sqlite")

# Timestamps are always timezone-aware UTC.
TYPE_ANNOTATION_MAP: dict[type, object] = {datetime: DateTime(timezone=True)}


def domain_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)
