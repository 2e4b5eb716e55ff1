"""What the user chose for an import (kept as JSON in ImportJob.options): which field each
column fills, how the file's own words map to Matcha's values, who the people named in the
file are, the date order, and what to do with unknown companies and duplicates."""

from __future__ import annotations

import enum

from sqlmodel import Field, SQLModel


class CompanyPolicy(enum.StrEnum):
    create = "create"  # a row naming a company not in the register creates it
    reject = "reject"  # ... or is refused


class DuplicatePolicy(enum.StrEnum):
    skip = "skip"  # a row matching a record (org.nr, else normalised name) is skipped
    update = "update"  # ... updates the record with the row's non-empty values
    create = "create"  # ... is created anyway (not possible with the same org.nr)


class ImportOptions(SQLModel):
    # The import field each column fills, by position; None ignores the column.
    columns: list[str | None] = Field(default_factory=list)
    # {field: {value in the file: Matcha's value}} for fields with fixed choices.
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    # {name in the file: user id as text, or "" for nobody}.
    people: dict[str, str] = Field(default_factory=dict)
    # "dmy", "mdy" or "ymd" when the file's dates are ambiguous; None: detected.
    date_order: str | None = None
    company_policy: CompanyPolicy = CompanyPolicy.reject
    duplicate_policy: DuplicatePolicy = DuplicatePolicy.skip
    # Follow-up dates already past are stored as done, so Min dag is not flooded.
    mark_past_follow_ups_done: bool = True
