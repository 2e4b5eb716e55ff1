"""Importing recruitment assignments: each row through the assignment service (its form,
and its status rules: a closed status must fit the positions and the filled count) on its
company (by org.nr, else by normalised name). Who brought it in is a user as the user
mapped the names, else the sheet's words say how it came in (the company, an event, ...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from app.assignments import service as assignments
from app.assignments.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    SourceKind,
)
from app.companies.models import Company
from app.errors import ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.imports import mapping
from app.imports.bounds import Cell
from app.imports.kinds.base import (
    MATCH_CREATE,
    MATCH_SKIP,
    MATCH_UPDATE,
    Context,
    Kind,
    display,
    note_duplicate,
    plan_company,
    resolve_company,
)
from app.imports.kinds.contacts import company_part, link_contact, plan_contact_link
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem, text
from app.text import fold

FORM_FIELDS = (
    "occupation",
    "ssyk_code",
    "positions",
    "requirements",
    "employment_type",
    "workplace",
    "start_on",
    "deadline",
    "ends_on",
    "filled_count",
    "notes",
)
RESTORED = (*assignments.TRACKED_FIELDS, "owner_id", "source_user_id", "contact_id")
HOW = N_("samma yrke och startdatum på samma företag")


def _match_key(occupation: str, start_on: str) -> tuple[str, str]:
    return (fold(occupation), start_on)


def registered(company_id: int, ctx: Context) -> dict[tuple[str, str], int]:
    """The company's assignments by match key, loaded once per company and import."""
    cache: dict[int, dict[tuple[str, str], int]] = ctx.lookups.setdefault("assignments", {})
    if company_id not in cache:
        rows = ctx.session.exec(
            select(Assignment.id, Assignment.occupation, col(Assignment.start_on))
            .where(Assignment.company_id == company_id)
            .order_by(col(Assignment.id))
        ).all()
        found: dict[tuple[str, str], int] = {}
        for assignment_id, occupation, start_on in rows:
            key = _match_key(occupation, start_on.isoformat() if start_on else "")
            found.setdefault(key, assignment_id)
        cache[company_id] = found
    return cache[company_id]


def _fits(status: AssignmentStatus, positions: int, filled: int) -> bool:
    try:
        assignments.check_counts(status, positions, filled)
    except ValidationFailed:
        return False
    return True


def source(typed: dict[str, str], raw: dict[str, Any]) -> tuple[str, str]:
    """(source_kind, source_user_id): a mapped user brought it in; else the source column;
    else the words in the "brought in by" column ("Företaget ringde" -> the company)."""
    if typed.get("source_user"):
        return SourceKind.broker.value, typed["source_user"]
    if typed.get("source_kind"):
        return typed["source_kind"], ""
    words = text(raw.get("source_user"))
    proposed = mapping.propose_value("assignments", "source_kind", words) if words else None
    if proposed is None or proposed == SourceKind.broker.value:
        return SourceKind.other.value, ""
    return proposed, ""


class AssignmentKind(Kind):
    entity = "assignment"
    model = Assignment

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        typed = self.parse(raw, row, ctx)
        ref = plan_company(typed, row, ctx)
        source_kind, source_user_id = source(typed, raw)
        fields = {name: typed[name] for name in FORM_FIELDS if typed.get(name)}
        form = assignments.AssignmentForm.model_validate(
            {
                **fields,
                "owner_id": typed.get("owner", ""),
                "source_kind": source_kind,
                "source_user_id": source_user_id,
            }
        )
        status = AssignmentStatus(typed.get("status") or AssignmentStatus.new.value)
        columns = {
            **ctx.columns,
            "owner_id": ctx.columns.get("owner", ""),
            "source_user_id": ctx.columns.get("source_user", ""),
        }
        cleaned, problems = self.validate(
            lambda f: assignments.clean(f, 0, session=ctx.session, clock=ctx.clock), form, columns
        )
        row.problems.extend(problems)
        if cleaned is not None:
            try:
                assignments.check_counts(status, cleaned["positions"], cleaned["filled_count"])
            except ValidationFailed as error:
                column = ctx.columns.get("filled_count") or ctx.columns.get("status")
                row.problems.append(Problem.from_error(error, column))
        contact = " ".join(typed.get("contact", "").split())
        row.form = (form, status, contact)
        row.company = ref
        shown = {**fields, "status": status.value, "source_kind": source_kind}
        if cleaned is not None:
            shown = {k: cleaned.get(k, v) for k, v in shown.items()}
        row.values = display(
            {**shown, "company": ref.name if ref else typed.get("company", ""), "contact": contact}
        )
        if ref is None or row.problems:
            row.action = Action.fail
            return
        plan_contact_link(contact, ref, row, ctx)
        match = _match_key(form.occupation, form.start_on)
        row.key = ("assignment", company_part(ref, ctx), *match)
        earlier = note_duplicate(row, ctx)
        found, _how = ctx.companies.find(ref.org_number, ref.name)
        in_register = found is not None and match in registered(found, ctx)
        if not in_register and earlier is None:
            row.action = Action.create
            return
        policy = ctx.options.duplicate_policy
        variables = {"how": HOW}
        if policy == DuplicatePolicy.skip:
            row.action = Action.skip
            row.notes.append(Problem(MATCH_SKIP, None, variables))
        elif policy == DuplicatePolicy.update:
            row.action = Action.update
            row.notes.append(Problem(MATCH_UPDATE, None, variables))
        else:
            row.action = Action.create
            row.notes.append(Problem(MATCH_CREATE, None, variables))

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        form, status, contact_name = row.form
        company = resolve_company(row.company, ctx)
        match = _match_key(form.occupation, form.start_on)
        known = registered(company.id, ctx)
        found = known.get(match)
        policy = ctx.options.duplicate_policy
        if found is not None and policy == DuplicatePolicy.skip:
            return Action.skip
        contact_id = link_contact(contact_name, company, ctx)
        if found is not None and policy == DuplicatePolicy.update:
            return self._update(found, form, status, contact_id, row, ctx)
        form = form.model_copy(update={"contact_id": str(contact_id or "")})
        assignment = assignments.create(
            company, form, user=ctx.user, session=ctx.session, clock=ctx.clock
        )
        self._move(assignment, status, form.filled_count, ctx)
        known.setdefault(match, assignment.id)
        ctx.remember("assignment", assignment, "created")
        return Action.create

    def _update(
        self,
        assignment_id: int,
        form: assignments.AssignmentForm,
        status: AssignmentStatus,
        contact_id: int | None,
        row: PlannedRow,
        ctx: Context,
    ) -> Action:
        assignment = assignments.get(assignment_id, session=ctx.session)
        merged = assignments.AssignmentForm.from_assignment(assignment)
        for name in FORM_FIELDS:
            if name in row.values and getattr(form, name):
                setattr(merged, name, getattr(form, name))
        if form.owner_id:
            merged.owner_id = form.owner_id
        merged.source_kind, merged.source_user_id = form.source_kind, form.source_user_id
        if contact_id:
            merged.contact_id = str(contact_id)
        before = self.snapshot(assignment, ctx.session)
        version = assignment.version
        if status != assignment.status:
            # The new status first: the counts must fit the status the row gives.
            self._move(assignment, status, merged.filled_count, ctx)
        merged.version = assignment.version
        assignments.update(assignment, merged, user=ctx.user, session=ctx.session, clock=ctx.clock)
        if assignment.version == version:
            return Action.skip
        ctx.remember("assignment", assignment, "updated", before)
        return Action.update

    @staticmethod
    def _move(assignment: Assignment, status: AssignmentStatus, filled: str, ctx: Context) -> None:
        if status == assignment.status:
            return
        assignments.change_status(
            assignment,
            assignments.StatusForm(status=status.value, filled_count=filled or "0"),
            user=ctx.user,
            session=ctx.session,
            clock=ctx.clock,
        )

    def label(self, record: Any, session: Session) -> str:
        company = session.get(Company, record.company_id)
        return f"{record.occupation} ({company.name if company else '#'})"

    def snapshot(self, record: Any, session: Session) -> dict[str, Any]:
        # closed_at too: reopening clears it and closing again would stamp a new day.
        return history.snapshot(record, (*RESTORED, "closed_at"))

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        values = {k: "" if v is None else str(v) for k, v in before.items()}
        status = AssignmentStatus(values.pop("status"))
        closed_at = values.pop("closed_at", None)  # None: recorded before it was kept
        form = assignments.AssignmentForm.model_validate(values)
        filled = int(values["filled_count"] or 0)
        if (
            status == record.status
            or status in OPEN_STATUSES
            or _fits(status, record.positions, filled)
        ):
            self._move(record, status, values["filled_count"], ctx)
            self._put_back(record, form, ctx)
        else:
            # The old closed status does not fit today's positions: the values go back
            # while the assignment is open (where any count up to the positions fits),
            # and then it is closed as it was.
            if record.status in CLOSED_STATUSES:
                self._move(record, OPEN_STATUSES[0], "", ctx)
            self._put_back(record, form, ctx)
            self._move(record, status, values["filled_count"], ctx)
        if closed_at is not None:
            day = dt.datetime.fromisoformat(closed_at) if closed_at else None
            if record.closed_at != day:
                # The service stamps closed_at with the time of a move; undo puts back the
                # day the assignment really closed.
                record.closed_at = day
                ctx.session.add(record)
                ctx.session.flush()

    @staticmethod
    def _put_back(record: Assignment, form: assignments.AssignmentForm, ctx: Context) -> None:
        assignments.update(record, form, user=ctx.user, session=ctx.session, clock=ctx.clock)
