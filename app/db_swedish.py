"""Swedish order: ... x y z å ä ö, case and accents only breaking ties; the collation
both engines sort names with, and the stored sort key SQLite sorts long lists by."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from sqlalchemy.sql import ColumnElement, collate

# The collation every list sorted by a name uses. PostgreSQL: created by a migration from
# ICU's sv-SE. SQLite: registered on each connection from swedish_sort_key below.
SWEDISH = "swedish"

# Swedish alphabet: ... x y z å ä ö. Letters a Swede files under another letter first.
_SWEDISH_LETTERS = {"å": "{1", "ä": "{2", "æ": "{2", "ö": "{3", "ø": "{3", "ü": "y"}


def swedish_sort_key(text: str) -> tuple[str, str]:
    """A sort key for Swedish order: case and accents only break ties ('é' sorts as 'e')."""
    folded = text.casefold()
    if folded.isascii():  # nothing to map: ASCII letters sort as themselves
        return folded, text
    return "".join(_primary(char) for char in folded), text


@functools.lru_cache(maxsize=4096)
def _primary(char: str) -> str:
    mapped = _SWEDISH_LETTERS.get(char)
    if mapped is None:
        mapped = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
    return mapped


def swedish_collation(a: str, b: str) -> int:
    ka, kb = swedish_sort_key(a), swedish_sort_key(b)
    return (ka > kb) - (ka < kb)


def swedish_key(text: str) -> str:
    """The stored sort key of a name: in plain byte order it sorts the Swedish way."""
    return swedish_sort_key(text)[0][:200]


def by_name(name: Any, key: Any, *, dialect: str) -> Any:
    """ORDER BY for a long list sorted by name. On SQLite a Python collation on every
    comparison costs a second at 50,000 rows, so there we sort by the indexed key column
    (swedish_key); PostgreSQL's ICU collation is fast enough on the name itself."""
    return key if dialect == "sqlite" else in_swedish_order(name)


def in_swedish_order(column: Any) -> ColumnElement[Any]:
    """ORDER BY expression that sorts text the Swedish way on both engines."""
    return collate(column, SWEDISH)
