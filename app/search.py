"""Substring search on a folded `search_text` column, fast on both engines.

SQLite: an FTS5 trigram table kept in step by triggers (see the register migration).
PostgreSQL: a pg_trgm GIN index, which LIKE uses. Queries are folded like the column
(app/text.py), so 'ÄNGEL', 'ängel' and 'angel' are one query. Terms shorter than three
characters cannot use a trigram index and fall back to LIKE.

On SQLite a term found in a large share of the rows (`556`, the start of most org.nrs) is
better not looked up at all: the planner cannot tell how many rows an FTS5 match returns,
so it fetches all of them and sorts them, while walking the list's own sort index and
testing LIKE on each row stops after a page. One cheap, bounded count per term decides.
Counting what a list found (app/query.py, count_found) is the other way round: it reads
every match up to its limit, so the index serves it unless a term is in most rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, text
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from app.text import fold

MAX_TERMS = 8
# A term matching at least this many rows is tested row by row (LIKE) instead of looked up
# in the trigram index. The list then reads about PAGE × rows / matches rows for a page,
# a few thousand at most with tens of thousands of rows.
COMMON_TERM_MATCHES = 2000
# Counting what a list found, up to a thousand: through the index unless the term is in so
# many rows that LIKE finds a thousand sooner than the index lists them all. The one count
# of a term's matches stops here.
VERY_COMMON_TERM_MATCHES = 8000


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    # A quoted FTS5 string is a literal: the user's quotes are doubled, nothing else in it
    # is syntax.
    return '"' + term.replace('"', '""') + '"'


# What a request learnt of its terms, to share between a page's query and its count:
# (fts_table, term) -> how many rows the index holds for it, counted up to
# VERY_COMMON_TERM_MATCHES.
Known = dict[tuple[str, str], int]


def _matches_up_to(term: str, *, fts_table: str, session: Session, known: Known) -> int:
    """How many rows the index holds for the term, up to VERY_COMMON_TERM_MATCHES: one
    bounded count, asked once per `known` (the page's rows and its count ask alike)."""
    key = (fts_table, term)
    if key not in known:
        count = text(
            f"SELECT count(*) FROM (SELECT rowid FROM {fts_table} "  # noqa: S608
            f"WHERE {fts_table} MATCH :phrase LIMIT :limit)"
        ).bindparams(phrase=_fts_phrase(term), limit=VERY_COMMON_TERM_MATCHES)
        known[key] = session.connection().execute(count).scalar_one()
    return known[key]


def _indexed(term: str, *, fts_table: str, session: Session, counting: bool, known: Known) -> bool:
    """Whether to look the term up in the index (else LIKE on each row, see above)."""
    if len(term) < 3:
        return False
    found = _matches_up_to(term, fts_table=fts_table, session=session, known=known)
    return found < (VERY_COMMON_TERM_MATCHES if counting else COMMON_TERM_MATCHES)


def matches(
    query: str | None,
    *,
    id_column: Any,
    search_column: Any,
    fts_table: str,
    session: Session,
    counting: bool = False,
    known: Known | None = None,
) -> ColumnElement[bool] | None:
    """A WHERE clause for records whose search text contains every word of the query;
    `counting`: for a count of them rather than a page (see above); `known`: what an
    earlier call for the same request learnt of the terms (filled in here)."""
    terms = fold(query).split()[:MAX_TERMS]
    if not terms:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    conditions = []
    for number, term in enumerate(terms):
        if sqlite and _indexed(
            term,
            fts_table=fts_table,
            session=session,
            counting=counting,
            known={} if known is None else known,
        ):
            name = f"fts_{number}"
            subquery = text(
                f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :{name}"  # noqa: S608
            ).bindparams(**{name: _fts_phrase(term)})
            conditions.append(id_column.in_(subquery))
        else:
            conditions.append(search_column.like(_like_pattern(term), escape="\\"))
    return and_(*conditions)
