"""A mutable selection tree, filled while planning and frozen into plan selections."""

from __future__ import annotations

from router.plan import PlanField, PlanFragment, PlanSelection

__all__ = ["SelectionBuilder"]


class _FieldEntry:
    __slots__ = ("alias", "arguments", "child", "name")

    def __init__(self, alias: str | None, name: str, arguments: str) -> None:
        self.alias = alias
        self.name = name
        self.arguments = arguments
        self.child: SelectionBuilder | None = None


class SelectionBuilder:
    """Fields (by response key) and type-conditioned fragments, in insertion order."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], _FieldEntry | SelectionBuilder] = {}

    def add_leaf(self, alias: str | None, name: str, arguments: str = "") -> None:
        """Add a leaf unless its response key is taken (by the same field: the planner gives
        its own fields internal aliases where a client key names another one)."""
        key = ("field", alias or name)
        if key not in self.items:
            self.items[key] = _FieldEntry(alias, name, arguments)

    def add_composite(self, alias: str | None, name: str, arguments: str = "") -> SelectionBuilder:
        key = ("field", alias or name)
        entry = self.items.get(key)
        if not isinstance(entry, _FieldEntry):
            entry = _FieldEntry(alias, name, arguments)
            self.items[key] = entry
        if entry.child is None:
            entry.child = SelectionBuilder()
        return entry.child

    def fragment(self, type_condition: str) -> SelectionBuilder:
        key = ("fragment", type_condition)
        builder = self.items.get(key)
        if not isinstance(builder, SelectionBuilder):
            builder = SelectionBuilder()
            self.items[key] = builder
        return builder

    def merge(self, other: SelectionBuilder) -> bool:
        """Add ``other``'s selections; False (and a partly merged self) when a response key
        names a different field or arguments, or a leaf and a composite, in the two."""
        for key, item in other.items.items():
            if isinstance(item, SelectionBuilder):
                if not self.fragment(key[1]).merge(item):
                    return False
                continue
            mine = self.items.get(key)
            if mine is None:
                mine = self.items[key] = _FieldEntry(item.alias, item.name, item.arguments)
                if item.child is not None:
                    mine.child = SelectionBuilder()
            elif not isinstance(mine, _FieldEntry) or (
                mine.name,
                mine.arguments,
                mine.child is None,
            ) != (item.name, item.arguments, item.child is None):
                return False
            if (
                item.child is not None
                and mine.child is not None
                and not mine.child.merge(item.child)
            ):
                return False
        return True

    def fits_representation(self, other: SelectionBuilder) -> bool:
        """Whether ``other``'s fields (representation inputs, read at their response keys and
        sent under their names) can join these without one name read from two keys."""
        for key, item in other.items.items():
            mine = self.items.get(key)
            if isinstance(item, SelectionBuilder):
                if isinstance(mine, SelectionBuilder) and not mine.fits_representation(item):
                    return False
                continue
            for entry in self.items.values():
                if isinstance(entry, _FieldEntry) and entry.name == item.name and entry is not mine:
                    return False
            if (
                isinstance(mine, _FieldEntry)
                and mine.child is not None
                and item.child is not None
                and not mine.child.fits_representation(item.child)
            ):
                return False
        return True

    def freeze(self) -> tuple[PlanSelection, ...]:
        selections: list[PlanSelection] = []
        for (_kind, name), item in self.items.items():
            if isinstance(item, SelectionBuilder):
                if item.items:
                    selections.append(PlanFragment(name, item.freeze()))
                continue
            sub: tuple[PlanSelection, ...] = ()
            if item.child is not None:
                sub = item.child.freeze() or (PlanField(None, "__typename", "", ()),)
            selections.append(PlanField(item.alias, item.name, item.arguments, sub))
        return tuple(selections)
