"""Importing a call log: each row through the activity service (its form and rules) on
its company (by org.nr, else by normalised name), by its author as the user mapped the
names, with the old sheet's follow-up dates kept, those already past stored as done when
the user chose so (Min dag is not flooded)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from app.activities import service as activities
from app.activities.models import Activity, ActivityKind
from app.auth.models import User
from app.clock import to_local, today
from app.companies.models import Company
from app.db import get_typed
from app.i18n import N_
from app.imports.bounds import Cell
from app.imports.kinds.base import (
    MATCH_CREATE,
    MATCH_SKIP,
    Context,
    Kind,
    display,
    note_duplicate,
    plan_company,
    resolve_company,
)
from app.imports.kinds.contacts import company_part, link_contact, plan_contact_link
from app.imports.mapping import TRUE
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem
from app.text import fold

# A date without a time of day: noon in Stockholm, the middle of a working day.
NOON = dt.time(12, 0)
NO_DATE = N_("Ange datum för kontakten.")
HOW = N_("samma dag, typ och anteckning på samma företag")
PAST_FOLLOW_UP_DONE = N_("Återkopplingen %(day)s har redan passerat: den sparas som klar.")


def occurred_at(raw: Any, day: str) -> str:
    """The form's date and time: the cell's own time when it has one, else noon."""
    time = NOON
    if isinstance(raw, dt.datetime) and raw.time() != dt.time(0, 0):
        time = raw.time().replace(second=0, microsecond=0)
    return f"{day}T{time.strftime('%H:%M')}"


def _match_key(day: dt.date, kind: str, notes: str) -> tuple[str, str, str]:
    return (day.isoformat(), kind, fold(notes))


def logged(company_id: int, ctx: Context) -> set[tuple[str, str, str]]:
    """The company's activities as match keys, loaded once per company and import."""
    cache: dict[int, set[tuple[str, str, str]]] = ctx.lookups.setdefault("activities", {})
    if company_id not in cache:
        rows = ctx.session.exec(
            select(Activity.occurred_at, Activity.kind, Activity.notes).where(
                Activity.company_id == company_id
            )
        ).all()
        cache[company_id] = {
            _match_key(to_local(when).date(), ActivityKind(kind).value, notes)
            for when, kind, notes in rows
        }
    return cache[company_id]


class ActivityKindImport(Kind):
    entity = "activity"
    model = Activity

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        typed = self.parse(raw, row, ctx)
        ref = plan_company(typed, row, ctx)
        day = typed.get("occurred_at", "")
        column = ctx.columns.get("occurred_at")
        if not day and not any(problem.column == column for problem in row.problems):
            row.problems.append(Problem(NO_DATE, column))
        form = activities.ActivityForm(
            kind=typed.get("kind") or ActivityKind.call.value,
            occurred_at=occurred_at(raw.get("occurred_at"), day) if day else "",
            notes=typed.get("notes", ""),
            outcome=typed.get("outcome", ""),
            follow_up_on=typed.get("follow_up_on", ""),
        )
        found, _how = ctx.companies.find(ref.org_number, ref.name) if ref else (None, "")
        # A stand-in for a company the import has yet to create: never added to the session.
        stand_in = Company(name="")  # type: ignore[call-arg]  # never saved: no timestamps
        company = ctx.session.get_one(Company, found) if found is not None else stand_in
        problems: list[Problem] = []
        if day:
            _cleaned, problems = self.validate(
                lambda f: activities.clean(
                    f, company, session=ctx.session, clock=ctx.clock, allow_past_follow_up=True
                ),
                form,
                ctx.columns,
            )
        row.problems.extend(problems)
        contact = " ".join(typed.get("contact", "").split())
        done = typed.get("follow_up_done") == TRUE
        past = bool(form.follow_up_on) and form.follow_up_on < today(ctx.clock).isoformat()
        if past and not done and ctx.options.mark_past_follow_ups_done:
            done = True
            column = ctx.columns.get("follow_up_on")
            row.notes.append(Problem(PAST_FOLLOW_UP_DONE, column, {"day": form.follow_up_on}))
        author = typed.get("user", "")
        row.form = (form, contact, author, done)
        row.company = ref
        row.values = display(
            {
                "occurred_at": form.occurred_at.replace("T", " "),
                "kind": form.kind,
                "company": ref.name if ref else typed.get("company", ""),
                "contact": contact,
                "user": author,
                "notes": form.notes,
                "outcome": form.outcome,
                "follow_up_on": form.follow_up_on,
                "follow_up_done": TRUE if done else "",
            }
        )
        if ref is None or row.problems:
            row.action = Action.fail
            return
        plan_contact_link(contact, ref, row, ctx)
        match = _match_key(dt.date.fromisoformat(day), form.kind, form.notes)
        row.key = ("activity", company_part(ref, ctx), *match)
        earlier = note_duplicate(row, ctx)
        in_register = found is not None and match in logged(found, ctx)
        if not in_register and earlier is None:
            row.action = Action.create
        elif ctx.options.duplicate_policy == DuplicatePolicy.create:
            row.action = Action.create
            row.notes.append(Problem(MATCH_CREATE, None, {"how": HOW}))
        else:
            # A logged activity is not "updated" by an old sheet: skip and update both skip.
            row.action = Action.skip
            row.notes.append(Problem(MATCH_SKIP, None, {"how": HOW}))

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        form, contact_name, author_id, done = row.form
        company = resolve_company(row.company, ctx)
        day = dt.date.fromisoformat(form.occurred_at[:10])
        match = _match_key(day, form.kind, form.notes)
        seen = logged(company.id, ctx)
        if match in seen and ctx.options.duplicate_policy != DuplicatePolicy.create:
            return Action.skip
        form = form.model_copy(
            update={"contact_id": str(link_contact(contact_name, company, ctx) or "")}
        )
        author = get_typed(ctx.session, User, author_id)
        activity = activities.create(
            company,
            form,
            user=ctx.user,
            session=ctx.session,
            clock=ctx.clock,
            author=author,
            allow_past_follow_up=True,
            follow_up_done=done,
        )
        seen.add(match)
        ctx.remember("activity", activity, "created")
        return Action.create

    def label(self, record: Any, session: Session) -> str:
        company = session.get(Company, record.company_id)
        day = to_local(record.occurred_at).date().isoformat()
        return f"{company.name if company else '#'} {day}"

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        raise NotImplementedError("an import never updates an activity")
