"""Exports of personal data in the security log: who downloaded which list, with which
filter, and how many rows the file held.

Logged: every list whose rows name people or carry their contact details, that is the
companies (their responsible broker), the contacts, a company's activities (call notes
and their authors), the assignments (responsible broker, contact), the agreements
(signatories), the recruitment events (who is responsible), an event's participants
(contact persons with phone and e-mail), the job tracks (coordinators), the security log
itself, an import's failed rows (app/imports/routes.py) and the whole lists of `matcha
export` (app/cli.py). Not logged: the reports (app/reports),
which are counts per group with small counts hidden, and the team report's workload and
unowned companies, which count colleagues' work and list companies without anyone.

The file streams (app/exports/files.py): the rows are counted as they are sent, and the
event is recorded when the stream has ended, in a short transaction of its own, so no
write lock is held while the file is sent and no second query counts the rows. A
download cut off part way is recorded too, as not completed, with the rows sent so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.auth import security_log
from app.auth.models import User
from app.clock import Clock
from app.errors import SaveRefused
from app.exports.table import ExportFormat
from app.observability import current_client

# The query parameters of a list that only page or order it: not part of its filter.
_NOT_FILTERS = frozenset({"page", "sort"})


def filter_values(filters: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """The filter as the security log keeps it: only the values in use (not empty, not
    off, not zero), without paging and order."""
    if filters is None:
        return {}
    values = filters.model_dump() if isinstance(filters, BaseModel) else dict(filters)
    return {
        name: value
        for name, value in values.items()
        if name not in _NOT_FILTERS and value not in ("", None, False, 0, [], ())
    }


@dataclass(frozen=True)
class ExportLog:
    """An export to record once its file has been sent. The user is a plain copy: the
    request's session may be closed by then."""

    list_name: str  # a stable name: "contacts", "event_participants"
    filters: dict[str, Any]
    user: User
    bind: Engine | Connection
    clock: Clock
    client: str | None  # the request's address: a cut-off stream may end outside it

    def record(self, file_format: ExportFormat, *, rows: int, completed: bool) -> None:
        """Records the export in its own short transaction (called once the stream ends)."""
        client = current_client.set(self.client)
        try:
            with Session(self.bind) as session:
                event = security_log.record(
                    session,
                    security_log.Kind.export,
                    clock=self.clock,
                    succeeded=completed,
                    reason=None if completed else "interrupted",
                    user=self.user,
                    detail={
                        "list": self.list_name,
                        "format": file_format.value,
                        "filters": self.filters,
                    },
                    rows=rows,
                )
                try:
                    session.commit()
                except (SaveRefused, SQLAlchemyError):
                    # The file has gone: the log line at least tells of it.
                    fields = {**security_log.line(event), "stored": False}
                    security_log.log.exception("export not stored", extra={"fields": fields})
        finally:
            current_client.reset(client)


def logged(
    list_name: str,
    *,
    user: User,
    session: Session,
    clock: Clock,
    filters: BaseModel | Mapping[str, Any] | None = None,
) -> ExportLog:
    """What the security log will say of this export. Recorded on the engine (or, in
    tests, the connection) the request's session reads from, but in a session of its own."""
    return ExportLog(
        list_name=list_name,
        filters=filter_values(filters),
        user=_copy(user),
        bind=session.get_bind(),  # an Engine, or in tests the connection of their transaction
        clock=clock,
        client=current_client.get(),
    )


def _copy(user: User) -> User:
    # Never added to a session: the log copies its id and names.
    return User(id=user.id, username=user.username, full_name=user.full_name, role=user.role)  # type: ignore[call-arg]  # never saved
