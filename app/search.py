"""Substring search on a folded `search_text` column, fast on both engines.

SQLite: an FTS5 trigram table kept in step by triggers (see the register migration).
PostgreSQL: a pg_trgm GIN index, which LIKE uses. Queries are folded like the column
(app/text.py), so 'ÄNGEL', 'ängel' and 'angel' are one query. Terms shorter than three
characters cannot use a trigram index and fall back to LIKE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, text
from sqlalchemy.sql import ColumnElement

from app.text import fold

MAX_TERMS = 8


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(
    query: str | None, *, id_column: Any, search_column: Any, fts_table: str, dialect: str
) -> ColumnElement[bool] | None:
    """A WHERE clause for records whose search text contains every word of the query."""
    terms = fold(query).split()[:MAX_TERMS]
    if not terms:
        return None
    conditions = []
    for number, term in enumerate(terms):
        if dialect == "sqlite" and len(term) >= 3:
            # A quoted FTS5 string is a literal: the user's quotes are doubled, nothing else
            # in it is syntax.
            phrase = '"' + term.replace('"', '""') + '"'
            name = f"fts_{number}"
            subquery = text(
                f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :{name}"  # noqa: S608
            ).bindparams(**{name: phrase})
            conditions.append(id_column.in_(subquery))
        else:
            conditions.append(search_column.like(_like_pattern(term), escape="\\"))
    return and_(*conditions)
