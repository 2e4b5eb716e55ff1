"""Text folding for search and duplicate detection, the same in Python for both engines.

SQLite's LIKE, lower() and NOCASE fold ASCII only, so 'ängel' would not find 'Ängelholm'.
We fold in Python instead, into columns the database only has to compare.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Company forms that do not tell two employers apart ("Bygg AB" is "Bygg Aktiebolag").
_COMPANY_FORMS = {
    "ab",
    "aktiebolag",
    "publ",
    "hb",
    "handelsbolag",
    "kb",
    "kommanditbolag",
    "ek",
    "for",
    "forening",
    "ekonomisk",
    "ideell",
    "enskild",
    "firma",
    "ef",
    "if",
    "inc",
    "ltd",
    "gmbh",
    "as",
    "asa",
    "oy",
    "aps",
}


def grouped(number: int) -> str:
    """A count grouped by thousands with a narrow no-break space, as Swedish writes it and
    as ISO 80000 does for every language ("21 616"): readable, never taken for decimals."""
    return f"{number:,}".replace(",", "\u202f")


def fold(text: str | None) -> str:
    """Lower case, no diacritics, whitespace collapsed: 'Ängelholms  Bygg' -> 'angelholms bygg'."""
    if not text:
        return ""
    return _fold(text)


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    # Cached: an import folds each name and place several times (matching, keys, search).
    if text.isascii():  # most text: nothing to decompose (an import folds each name often)
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("ß", "ss").split())


@functools.lru_cache(maxsize=16384)
def company_name_key(name: str) -> str:
    """Two names with the same key are probably the same employer: case, diacritics,
    punctuation and company forms ('AB', 'Aktiebolag', 'HB', ...) do not count. Cached:
    an import asks for each name's key several times (matching, duplicates, storing)."""
    words = re.sub(r"[^\w]+", " ", fold(name)).split()
    return " ".join(word for word in words if word not in _COMPANY_FORMS)


def search_text(*parts: str | None) -> str:
    """The folded text a record is found by, one line for all its searchable fields."""
    return " | ".join(fold(part) for part in parts if part)
