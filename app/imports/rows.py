"""What an import knows about one row of the file: its cells, the values it will store,
its problems per column (Swedish msgids) and what will happen to it."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from dataclasses import dataclass, field
from typing import Any

from app import i18n
from app.errors import DomainError


class Action(enum.StrEnum):
    create = "create"
    update = "update"
    skip = "skip"
    fail = "fail"


@dataclass
class Problem:
    """Something wrong (or worth saying) about a row, at a column when it is one column's."""

    message: str
    column: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: DomainError, column: str | None) -> Problem:
        variables = {k: str(v) for k, v in error.variables.items()}
        return cls(error.message, column, variables)

    def text(self) -> str:
        message = i18n.gettext(self.message, **self.variables)
        return f"{self.column}: {message}" if self.column else message

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "column": self.column, "variables": self.variables}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Problem:
        return cls(value["message"], value.get("column"), value.get("variables") or {})


@dataclass
class PlannedRow:
    number: int  # the row's line in the file, as the user sees it in Excel
    # The cells as read (text, numbers, dates); `cells` shows them as text.
    raw: list[Any]
    # Import field -> the value as it will be stored (text; dates as ÅÅÅÅ-MM-DD).
    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Not errors: what will happen ("matchar befintligt företag", "dubblett av rad 4").
    notes: list[Problem] = field(default_factory=list)
    action: Action = Action.create
    # The kind's own data for the write (the service's form, the company it belongs to).
    form: Any = None
    # A contact person the row carries besides its record (a company row's contact_*).
    contact: Any = None
    # What the service's clean() made of the form, when the kind writes in bulk.
    cleaned: Any = None
    company: Any = None
    key: Any = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @functools.cached_property
    def cells(self) -> list[str]:
        """The cells as the user sees them: only a failed or previewed row needs them."""
        return [text(cell) for cell in self.raw]


def text(cell: Any) -> str:
    """A cell as the text it shows: 12.0 as 12, a date as ÅÅÅÅ-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def reason(problems: list[Problem]) -> str:
    """The "Fel" column of the failed rows: every problem, translated, in one cell."""
    return "; ".join(problem.text() for problem in problems)
