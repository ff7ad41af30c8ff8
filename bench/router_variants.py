"""The router configurations measured against each other, as data.

A :class:`RouterVariant` is a name and the ``router.yaml`` sections it runs with (written to
the run's temporary directory and passed with ``serve --config``); every section left out is
at its default, the same in every variant. To measure one more feature, add its section to a
variant's mapping below.

Sections still being built on other branches are :class:`PendingSection` entries: each is
written only when :mod:`router.config` knows its key (an unknown key stops the router), so
the same bench runs before and after they are merged and says which ones it used.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from router.config import RouterConfig

__all__ = [
    "FEATURES_OFF",
    "FEATURES_ON",
    "IDENTITY_SECRET_ENV",
    "PENDING_SECURITY_SECTIONS",
    "PendingSection",
    "RouterVariant",
    "known_sections",
    "security_variants",
]

IDENTITY_SECRET_ENV = "ROUTER_IDENTITY_SECRET"


@dataclass(frozen=True, slots=True)
class PendingSection:
    """A section another branch is adding: its content with the feature on and off."""

    name: str
    on: Mapping[str, Any]
    off: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RouterVariant:
    name: str
    sections: Mapping[str, Any]
    # sections wanted but not written: the router does not know them yet
    missing: tuple[str, ...] = ()

    def yaml_text(self) -> str:
        return yaml.safe_dump(dict(self.sections), sort_keys=True)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"router-{self.name.replace(' ', '-').replace('/', '-')}.yaml"
        path.write_text(self.yaml_text(), encoding="utf-8")
        return path

    def with_pending(
        self, pending: Collection[PendingSection], *, on: bool, known: Collection[str]
    ) -> RouterVariant:
        """This variant plus each pending section the router knows (``on`` or ``off`` content)."""
        sections = dict(self.sections)
        missing = list(self.missing)
        for section in pending:
            if section.name in known:
                sections[section.name] = dict(section.on if on else section.off)
            else:
                missing.append(section.name)
        return RouterVariant(self.name, sections, tuple(missing))


def known_sections() -> frozenset[str]:
    """The top-level keys ``router.yaml`` accepts in this checkout."""
    return frozenset(RouterConfig.model_fields)


# Issue 12: operation limits (router.yaml's values), demand control enforcing router.yaml's
# max (customer-360 is estimated at 872) and APQ, against all three off.
FEATURES_ON = RouterVariant(
    "limits+cost+APQ on",
    {
        "limits": {
            "max_tokens": 15000,
            "max_depth": 32,
            "max_aliases": 128,
            "max_root_fields": 64,
            "max_recursive_selections": 10000,
            "max_document_bytes": 131072,
        },
        "demand_control": {"enabled": True, "mode": "enforce", "max": 1000, "list_size": 10},
        "apq": {"enabled": True},
    },
)
FEATURES_OFF = RouterVariant(
    "all off",
    {
        "limits": {
            "max_tokens": 0,
            "max_depth": 0,
            "max_aliases": 0,
            "max_root_fields": 0,
            "max_recursive_selections": 0,
            "max_document_bytes": 0,
        },
        "demand_control": {"enabled": False},
        "apq": {"enabled": False},
    },
)

# Issue 11's authorization has no off switch (the router enforces the supergraph's access
# directives whatever router.yaml says): the "security off" side runs the same router on the
# supergraph without those directives (bench.peer_supergraph), so it has nothing to enforce.
PENDING_SECURITY_SECTIONS: tuple[PendingSection, ...] = ()


def security_variants(
    jwt_config: Mapping[str, Any],
    *,
    known: Collection[str],
    pending: Collection[PendingSection] = PENDING_SECURITY_SECTIONS,
) -> tuple[RouterVariant, RouterVariant, RouterVariant]:
    """Security off; on (JWT verified, identity signed for the subgraphs, authorization);
    on with every token's signature checked again (``cache_seconds: 0``)."""
    secret = {"secret": "${env." + IDENTITY_SECRET_ENV + "}"}
    on = {"authentication": {"jwt": dict(jwt_config)}, "identity_propagation": secret}
    uncached = {
        "authentication": {"jwt": {**jwt_config, "cache_seconds": 0}},
        "identity_propagation": secret,
    }
    return (
        RouterVariant("security off", {}).with_pending(pending, on=False, known=known),
        RouterVariant("security on", on).with_pending(pending, on=True, known=known),
        RouterVariant("security on, JWT checked every request", uncached).with_pending(
            pending, on=True, known=known
        ),
    )
