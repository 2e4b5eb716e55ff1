"""Whole lists for `matcha export`: every row of a list, as a system export. There are no
filters, so nothing depends on who asks ("owner=me" cannot be chosen): the tables are
built for a stand-in administrator that is never stored."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from app.agreements.listing import AgreementFilters
from app.assignments.listing import AssignmentFilters
from app.auth.models import Role, User
from app.clock import Clock
from app.companies.service import KIND_ALL, CompanyFilters
from app.contacts.service import ContactFilters
from app.events import exports as event_exports
from app.events.service import EventFilters
from app.exports import files, xlsx_format
from app.exports import service as exports
from app.exports.table import ExportFormat, Table, counted_rows

SYSTEM = "Matcha"


def _system_user() -> User:
    # Never saved: it only lets the listings run with an admin's view of the register.
    return User(username="matcha", full_name=SYSTEM, role=Role.admin)  # type: ignore[call-arg]  # never saved


def _companies(session: Session, clock: Clock) -> Table:
    # The register as its list shows it: archived companies are not in it. Samverkanspartner
    # too (their contact persons are in the contacts' file), told apart by the "Slag" column.
    return exports.company_table(
        CompanyFilters(kind=KIND_ALL), user=_system_user(), session=session, clock=clock
    )


def _contacts(session: Session, clock: Clock) -> Table:
    return exports.contact_table(ContactFilters(), session=session)


def _assignments(session: Session, clock: Clock) -> Table:
    # Closed ones too (the list shows open ones by default): the file has their status.
    return exports.assignment_table(
        AssignmentFilters(state="all"), user=_system_user(), session=session
    )


def _agreements(session: Session, clock: Clock) -> Table:
    return exports.agreement_table(
        AgreementFilters(), user=_system_user(), session=session, clock=clock
    )


def _events(session: Session, clock: Clock) -> Table:
    return event_exports.event_table(
        EventFilters(), user=_system_user(), session=session, clock=clock
    )


KINDS: dict[str, Callable[[Session, Clock], Table]] = {
    "companies": _companies,
    "contacts": _contacts,
    "assignments": _assignments,
    "agreements": _agreements,
    "events": _events,
}


def whole_list(kind: str, *, session: Session, clock: Clock) -> Table:
    return KINDS[kind](session, clock)


def write_file(table: Table, file_format: ExportFormat, path: Path, *, delimiter: str = ";") -> int:
    """Writes the export to `path` (nothing is left of it if writing fails) and returns
    the number of rows written."""
    counting, counted = counted_rows(table)
    try:
        with path.open("wb") as target:
            if file_format == ExportFormat.xlsx:
                xlsx_format.write(counting, target)
            else:
                for chunk in files.render(counting, file_format, delimiter=delimiter):
                    target.write(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return counted.rows
