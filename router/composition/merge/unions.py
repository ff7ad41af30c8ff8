"""Merging union types: the union of members, each with ``@join__unionMember`` per subgraph."""

from __future__ import annotations

from .context import MergeContext, Sources, present
from .model import MergedType, applied

__all__ = ["merge_union"]


def merge_union(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    for _, source in present(sources):
        for member in source.types:
            if member.name not in dest.members:
                dest.members.append(member.name)
    for member in dest.members:
        for index, source in present(sources):
            if any(t.name == member for t in source.types):
                dest.directives.append(
                    applied("join__unionMember", graph=context.graph(index), member=member)
                )
