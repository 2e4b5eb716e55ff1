"""What a register row belongs to, shown on its page: an assignment, an event or an
agreement may be part of a job track. Tracks sit above those features, which cannot
import them: the feature that owns the parent registers here how to name it and where its
page is, and the row's page asks for its parent by kind and key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, select

ParentKind = Literal["track"]


@dataclass(frozen=True)
class Kind:
    label: str  # msgid: what the parent is ("Jobbspår")
    model: Any  # the table model, looked up by its `id`
    name: Any  # its name column
    path: str  # its page, with {id}


@dataclass(frozen=True)
class Parent:
    label: str  # msgid
    name: str
    path: str


_kinds: dict[ParentKind, Kind] = {}


def register(kind: ParentKind, *, label: str, model: Any, name: Any, path: str) -> None:
    """Registered by the feature that owns the parent table, when it is imported."""
    _kinds[kind] = Kind(label=label, model=model, name=name, path=path)


def parent(kind: ParentKind, key: int | None, *, session: Session) -> Parent | None:
    """The parent a row's key names: one look-up; None for no key (or no such parent)."""
    if key is None:
        return None
    try:
        found = _kinds[kind]
    except KeyError:
        raise LookupError(f"parents: nothing registered for {kind!r}") from None
    name = session.exec(select(found.name).where(found.model.id == key)).first()
    if name is None:
        return None
    return Parent(label=found.label, name=name, path=found.path.format(id=key))
