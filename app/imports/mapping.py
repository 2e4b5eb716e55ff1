"""Which column of an old sheet is which Matcha field, and which Matcha value a sheet's own
word means ("Pågår", "Extratjänst", "Tel"): proposals from header words and value
synonyms, Swedish and English, compared after folding case, å/ä/ö and punctuation.

The user confirms or changes every proposal in the import wizard; nothing here is final.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from app.companies.models import SizeClass
from app.imports.field_data import (
    CHOICE,
    COMPANY,
    DATE,
    FIELDS,
    GENERIC_WORDS,
    INTEGER,
    KINDS,
    PERSON,
    TEXT,
    TRUE,
    VALUE_SYNONYMS,
    YES_NO,
    YES_NO_SYNONYMS,
    Field,
)
from app.text import fold

# The vocabulary's names, as the import's kinds and the tests import them from here.
__all__ = [
    "CHOICE",
    "COMPANY",
    "DATE",
    "FIELDS",
    "INTEGER",
    "KINDS",
    "PERSON",
    "TEXT",
    "TRUE",
    "Field",
    "field",
    "fields",
    "key",
    "propose_columns",
    "propose_value",
    "recognised_headers",
]


def key(text: str) -> str:
    """Folded and without punctuation or spaces: 'Org.nr', 'Org nr', 'ORGNR' -> 'orgnr'."""
    return "".join(char for char in fold(text) if char.isalnum())


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", fold(text)).split()


# Header words so common that they only win when nothing more specific claims the column.
_GENERIC = frozenset(key(word) for word in GENERIC_WORDS)


def fields(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def field(kind: str, name: str) -> Field:
    try:
        return _BY_NAME[kind][name]
    except KeyError:
        raise KeyError(f"{kind} has no field {name}") from None


def _header_keys(item: Field) -> tuple[set[str], set[str]]:
    """A field's header words as keys: (specific, generic)."""
    keys = {key(item.label), *(key(word) for word in item.synonyms)}
    keys.discard("")
    return keys - _GENERIC, keys & _GENERIC


_BY_NAME = {kind: {item.name: item for item in items} for kind, items in FIELDS.items()}
_KEYS = {kind: [(item, *_header_keys(item)) for item in FIELDS[kind]] for kind in FIELDS}
_ALL_HEADER_KEYS = frozenset(
    header
    for entries in _KEYS.values()
    for _, specific, generic in entries
    for header in specific | generic
)


def recognised_headers(cells: Iterable[str]) -> int:
    """How many of the cells are header words of any kind: the header-row heuristic."""
    return sum(1 for cell in cells if key(cell) in _ALL_HEADER_KEYS)


def _score(header: str, specific: set[str], generic: set[str]) -> int:
    header_key = key(header)
    if not header_key:
        return 0
    if header_key in specific:
        return 3
    if header_key in generic:
        return 2
    # "Telefon (växel)", "Företagets namn": a specific word among the header's words.
    words = _words(header)
    for word_count in range(len(words) - 1, 0, -1):
        for start in range(len(words) - word_count + 1):
            if "".join(words[start : start + word_count]) in specific:
                return 1
    return 0


def propose_columns(kind: str, headers: Sequence[str]) -> list[str | None]:
    """A field name per column, or None (ignorera); each field at most once. The strongest
    matches win first (an exact specific word, then a generic one, then a word inside a
    longer header); among equals the leftmost column and the field listed first."""
    candidates = []
    for column, header in enumerate(headers):
        for order, (item, specific, generic) in enumerate(_KEYS[kind]):
            score = _score(header, specific, generic)
            if score:
                candidates.append((-score, column, order, item.name))
    proposal: list[str | None] = [None] * len(headers)
    used: set[str] = set()
    for _, column, _, name in sorted(candidates):
        if proposal[column] is None and name not in used:
            proposal[column] = name
            used.add(name)
    return proposal


# --- Values ---------------------------------------------------------------------------------


def _value_keys(kind: str, name: str) -> dict[str, str]:
    """Folded word -> value, for one field with choices."""
    item = field(kind, name)
    if item.choices is None:
        raise KeyError(f"{kind}.{name} has no fixed choices")
    synonyms: dict[str, tuple[str, ...]] = (
        YES_NO_SYNONYMS if item.choices is YES_NO else VALUE_SYNONYMS.get((kind, name), {})
    )
    keys: dict[str, str] = {}
    for value, label in item.choices.items():
        for word in (value, label, *synonyms.get(value, ())):
            keys.setdefault(key(word), value)
    keys.pop("", None)
    return keys


_VALUE_KEYS = {
    (kind, item.name): _value_keys(kind, item.name)
    for kind in FIELDS
    for item in FIELDS[kind]
    if item.choices is not None
}


def propose_value(kind: str, field_name: str, raw: object) -> str | None:
    """The Matcha value a cell of a field with fixed choices probably means, or None.

    'Pågår' -> 'searching', 'Extratjänst' -> 'labour_market', 'TEL' -> 'call'; a word
    inside a longer cell counts too ('Samtal, ej svar' -> 'call'). A number of employees
    gives its size class (12 -> '10-49').
    """
    text = str(raw).strip() if raw is not None else ""
    if isinstance(raw, bool):
        text = "1" if raw else "0"
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    return _proposed(kind, field_name, text)


@functools.lru_cache(maxsize=4096)
def _proposed(kind: str, field_name: str, text: str) -> str | None:
    """propose_value() of a cell's text. Cached: a column of choices repeats a few words
    down 50,000 rows."""
    keys = _VALUE_KEYS[(kind, field_name)]
    if field_name == "size_class" and text.isdigit():
        return _size_class(int(text))
    exact = keys.get(key(text))
    if exact is not None:
        return exact
    words = _words(text)
    for word_count in range(len(words) - 1, 0, -1):
        for start in range(len(words) - word_count + 1):
            found = keys.get("".join(words[start : start + word_count]))
            if found is not None and len(key(words[start])) > 1:
                return found
    return None


def _size_class(employees: int) -> str:
    for bound, size in (
        (0, SizeClass.none),
        (9, SizeClass.micro),
        (49, SizeClass.small),
        (249, SizeClass.medium),
    ):
        if employees <= bound:
            return size.value
    return SizeClass.large.value
