"""Agreements: create, edit, renew and delete them, with history and edit conflicts; the
company's letter-of-intent summary kept from them; the ones ending soon.

A company's "Avsiktsförklaring" (Company.agreement_status and agreement_date, which the
company list's exports and brokers' sheets rely on) is no longer typed on the company: it
is kept here from the company's letters of intent: signed (the latest signing day) when
one is signed, else sent (the latest day sent) when one is sent, else none. It is written
with a plain UPDATE that leaves the company's version alone, as the activity service does
for the last contact: saving an agreement must not make an open company form stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from app.agreements.form import TRACKED_FIELDS, AgreementForm, clean
from app.agreements.models import Agreement, AgreementKind, AgreementSignatory, AgreementState
from app.assignments.models import Assignment
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies.models import AgreementStatus, Company
from app.contacts.models import Contact
from app.db import get_typed, next_ids
from app.errors import Conflict, Forbidden, NotFound
from app.history import service as history
from app.i18n import N_
from app.query import table_of

# An agreement valid to within this many days, and not renewed, is ending.
ENDING_DAYS = 30


class EditConflict(history.EditConflict):
    """Someone saved the agreement after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat avtalet medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


_record = history.Recorder("agreement")


def get(agreement_id: int, *, session: Session) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("Avtalet finns inte.")
    return agreement


def may_edit(user: User) -> bool:
    return user.role in (Role.broker, Role.admin)


def _require_editor(user: User) -> None:
    if not may_edit(user):
        raise Forbidden(N_("Bara jobbmäklare och administratörer kan ändra avtal."))


# --- reading ----------------------------------------------------------------------------


@dataclass
class AgreementView:
    """An agreement as a page shows it: with its signatories' and the unit's signatory's
    names, its assignment's occupation, and whether it is ending."""

    agreement: Agreement
    signatories: list[Contact]
    unit_signatory: str | None
    assignment: str | None
    ending: bool
    renewed: bool


def signatory_ids(agreement_id: int, *, session: Session) -> list[int]:
    return list(
        session.exec(
            select(AgreementSignatory.contact_id)
            .where(AgreementSignatory.agreement_id == agreement_id)
            .order_by(col(AgreementSignatory.contact_id))
        ).all()
    )


def views(agreements: list[Agreement], *, session: Session, clock: Clock) -> list[AgreementView]:
    """The agreements with what their page shows: four statements, however many."""
    ids = [agreement.id for agreement in agreements]
    if not ids:
        return []
    people: dict[int, list[Contact]] = {}
    for agreement_id, contact in session.exec(
        select(AgreementSignatory.agreement_id, Contact)
        .join(Contact, col(Contact.id) == AgreementSignatory.contact_id)
        .where(col(AgreementSignatory.agreement_id).in_(ids))
        .order_by(col(Contact.sort_key), col(Contact.id))
    ).all():
        people.setdefault(agreement_id, []).append(contact)
    user_ids = {a.unit_signatory_id for a in agreements} - {None}
    names: dict[int | None, str] = (
        dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(user_ids))).all())
        if user_ids
        else {}
    )
    assignment_ids = {a.assignment_id for a in agreements} - {None}
    occupations: dict[int | None, str] = (
        dict(
            session.exec(
                select(Assignment.id, Assignment.occupation).where(
                    col(Assignment.id).in_(assignment_ids)
                )
            ).all()
        )
        if assignment_ids
        else {}
    )
    renewed = set(
        session.exec(select(Agreement.renews_id).where(col(Agreement.renews_id).in_(ids))).all()
    )
    day = today(clock)
    return [
        AgreementView(
            agreement=agreement,
            signatories=people.get(agreement.id, []),
            unit_signatory=names.get(agreement.unit_signatory_id),
            assignment=occupations.get(agreement.assignment_id),
            ending=agreement.id not in renewed and is_ending(agreement, day),
            renewed=agreement.id in renewed,
        )
        for agreement in agreements
    ]


def is_ending(agreement: Agreement, day: dt.date) -> bool:
    """Signed, and valid to a day within the next ENDING_DAYS (renewal not considered)."""
    return (
        agreement.state == AgreementState.signed
        and agreement.valid_to is not None
        and day <= agreement.valid_to <= day + dt.timedelta(days=ENDING_DAYS)
    )


def for_company(company_id: int, *, session: Session) -> list[Agreement]:
    """The company's agreements, the newest first: by the day it starts to apply, else was
    signed, else was sent; one with none of them (a draft being written) on top."""
    newest = func.coalesce(Agreement.valid_from, Agreement.signed_on, Agreement.sent_on)
    return list(
        session.exec(
            select(Agreement)
            .where(Agreement.company_id == company_id)
            .order_by(newest.desc().nulls_first(), col(Agreement.id).desc())
        ).all()
    )


def _tracked(agreement: Agreement, signatories: list[int], session: Session) -> dict[str, Any]:
    """What history compares: the fields, the unit's signatory by name, the assignment by
    occupation, and how many signed for the company (not who: see form.TRACKED_FIELDS)."""
    unit = session.get(User, agreement.unit_signatory_id) if agreement.unit_signatory_id else None
    assignment = (
        session.get(Assignment, agreement.assignment_id) if agreement.assignment_id else None
    )
    return {
        **history.snapshot(agreement, TRACKED_FIELDS),
        "unit_signatory": unit.full_name if unit else None,
        "assignment": assignment.occupation if assignment else None,
        "signatories": len(signatories) or None,
    }


# --- writing ----------------------------------------------------------------------------


def new_form(user: User) -> AgreementForm:
    """A new agreement's form: a letter of intent in draft, signed for the unit by the
    broker who writes it, until told otherwise."""
    return AgreementForm(unit_signatory_id=str(user.id) if may_edit(user) else "")


def renew_form(agreement: Agreement, *, session: Session) -> AgreementForm:
    """ "Förnya": a new draft of the same kind, with the same assignment, signatories and
    notes, valid from the day after the old one ends and for as long, if that is known."""
    valid_from = valid_to = None
    if agreement.valid_to is not None:
        valid_from = agreement.valid_to + dt.timedelta(days=1)
        if agreement.valid_from is not None:
            valid_to = valid_from + (agreement.valid_to - agreement.valid_from)
    return AgreementForm(
        kind=agreement.kind.value,
        state=AgreementState.draft.value,
        valid_from=valid_from.isoformat() if valid_from else "",
        valid_to=valid_to.isoformat() if valid_to else "",
        assignment_id=str(agreement.assignment_id or ""),
        unit_signatory_id=str(agreement.unit_signatory_id or ""),
        signatory_ids=[str(i) for i in signatory_ids(agreement.id, session=session)],
        notes=agreement.notes,
        renews_id=str(agreement.id),
    )


def _renews(value: str, company_id: int, *, session: Session) -> int | None:
    renewed = get_typed(session, Agreement, value) if value.strip() else None
    return renewed.id if renewed is not None and renewed.company_id == company_id else None


def _set_signatories(agreement_id: int, contact_ids: Iterable[int], *, session: Session) -> None:
    session.exec(
        sql_delete(AgreementSignatory).where(col(AgreementSignatory.agreement_id) == agreement_id)
    )
    session.add_all(
        AgreementSignatory(agreement_id=agreement_id, contact_id=contact_id)
        for contact_id in contact_ids
    )


def create(
    company: Company, form: AgreementForm, *, user: User, session: Session, clock: Clock
) -> Agreement:
    _require_editor(user)
    if company.archived_at is not None:
        raise Conflict("Företaget är arkiverat. Återställ det innan du lägger in avtal.")
    values, signatories = clean(form, company.id, session=session, clock=clock)
    now = clock.now()
    agreement = Agreement(
        company_id=company.id,
        renews_id=_renews(form.renews_id, company.id, session=session),
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(agreement)
    session.flush()
    _set_signatories(agreement.id, signatories, session=session)
    filled = {
        k: v for k, v in _tracked(agreement, signatories, session).items() if v not in (None, "")
    }
    _record(agreement, "create", history.diff({}, filled), user=user, session=session, clock=clock)
    refresh_summary([company.id], session=session)
    return agreement


def update(
    agreement: Agreement, form: AgreementForm, *, user: User, session: Session, clock: Clock
) -> Agreement:
    _require_editor(user)
    history.check_version(
        agreement, "agreement", form.version, conflict=EditConflict, session=session
    )
    values, signatories = clean(
        form, agreement.company_id, session=session, clock=clock, current=agreement
    )
    before_signatories = signatory_ids(agreement.id, session=session)
    before = _tracked(agreement, before_signatories, session)
    # History names the assignment and the unit's signatory: another one of the same
    # name is a change all the same.
    linked = ("assignment_id", "unit_signatory_id")
    relinked = any(getattr(agreement, name) != values[name] for name in linked)
    for name, value in values.items():
        setattr(agreement, name, value)
    # _tracked() queries: no autoflush of the changed row before the guarded flush below,
    # or a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        changes = history.diff(before, _tracked(agreement, signatories, session))
    if not changes and not relinked and before_signatories == signatories:
        return agreement
    agreement.updated_at = clock.now()
    session.add(agreement)
    history.flush_or_conflict(
        agreement, "agreement", form.version, conflict=EditConflict, get=get, session=session
    )
    _set_signatories(agreement.id, signatories, session=session)
    if not changes:
        # Other contact persons, as many as before: history says the signatories changed.
        changes = {"signatories": [len(before_signatories), len(signatories)]}
    _record(agreement, "update", changes, user=user, session=session, clock=clock)
    refresh_summary([agreement.company_id], session=session)
    return agreement


def rebase(form: AgreementForm, error: EditConflict, *, session: Session) -> AgreementForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both
    changed keep the user's value (the conflict message shows the other's)."""
    current = AgreementForm.from_agreement(
        error.current, signatory_ids(error.current.id, session=session)
    )
    result = form.model_copy()
    for changed, before in history.values_before(error.changes).items():
        if changed == "unit_signatory":
            person = get_typed(session, User, form.unit_signatory_id)
            if history.same_value(person.full_name if person else None, before):
                result.unit_signatory_id = current.unit_signatory_id
        elif changed == "assignment":
            assignment = get_typed(session, Assignment, form.assignment_id)
            if history.same_value(assignment.occupation if assignment else None, before):
                result.assignment_id = current.assignment_id
        elif changed == "signatories":
            if history.same_value(len(form.signatory_ids) or None, before):
                result.signatory_ids = current.signatory_ids
        elif changed in TRACKED_FIELDS and history.same_value(getattr(form, changed), before):
            setattr(result, changed, getattr(current, changed))
    result.version = error.current.version
    return result


def delete(agreement: Agreement, *, user: User, session: Session, clock: Clock) -> None:
    """Removes the agreement; history keeps what was removed."""
    _require_editor(user)
    tracked = _tracked(agreement, signatory_ids(agreement.id, session=session), session)
    removed = {name: [value, None] for name, value in tracked.items() if value not in (None, "")}
    _record(agreement, "delete", removed, user=user, session=session, clock=clock)
    company_id = agreement.company_id
    session.delete(agreement)
    session.flush()
    refresh_summary([company_id], session=session)


def move(other: Company, kept: Company, *, user: User, session: Session, clock: Clock) -> int:
    """Moves every agreement of one company to another (a merge), with history, and
    keeps both companies' summaries. Signatories move with their contacts."""
    moving = list(session.exec(select(Agreement).where(Agreement.company_id == other.id)).all())
    now = clock.now()
    for agreement in moving:
        agreement.company_id = kept.id
        agreement.updated_at = now
        session.add(agreement)
    session.flush()
    for agreement in moving:
        _record(
            agreement,
            "update",
            {"merged_from": [None, other.name]},
            user=user,
            session=session,
            clock=clock,
        )
    refresh_summary([other.id, kept.id], session=session)
    return len(moving)


def record_letter_of_intent(
    company: Company,
    status: AgreementStatus,
    day: dt.date | None,
    *,
    user: User | None,
    session: Session,
    clock: Clock,
) -> Agreement | None:
    """A letter of intent from a sheet's "Avsiktsförklaring" column (sent or signed, on
    `day`): an agreement of the company, with history. None for "none"."""
    if status == AgreementStatus.none:
        return None
    now = clock.now()
    state = AgreementState.signed if status == AgreementStatus.signed else AgreementState.sent
    agreement = Agreement(
        company_id=company.id,
        kind=AgreementKind.letter_of_intent,
        state=state,
        sent_on=day if state == AgreementState.sent else None,
        signed_on=day if state == AgreementState.signed else None,
        created_by_id=user.id if user else None,
        created_at=now,
        updated_at=now,
    )
    session.add(agreement)
    session.flush()
    created = {
        k: v for k, v in history.snapshot(agreement, TRACKED_FIELDS).items() if v not in (None, "")
    }
    _record(agreement, "create", history.diff({}, created), user=user, session=session, clock=clock)
    refresh_summary([company.id], session=session)
    return agreement


def record_letters_of_intent(
    letters: list[tuple[int, AgreementStatus, dt.date | None]],
    *,
    user: User | None,
    session: Session,
    clock: Clock,
) -> None:
    """record_letter_of_intent() for many new companies at once (an import's batch): one
    insert and one history statement. Their summaries are written with the companies."""
    now = clock.now()
    rows: list[dict[str, Any]] = []
    for company_id, status, day in letters:
        if status == AgreementStatus.none:
            continue
        state = AgreementState.signed if status == AgreementStatus.signed else AgreementState.sent
        rows.append(
            {
                "id": None,
                "company_id": company_id,
                "kind": AgreementKind.letter_of_intent,
                "state": state,
                "sent_on": day if state == AgreementState.sent else None,
                "signed_on": day if state == AgreementState.signed else None,
                "notes": "",
                "created_by_id": user.id if user else None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    if not rows:
        return
    ids = next_ids(session, "agreement", len(rows))
    for agreement_id, row in zip(ids, rows, strict=True):
        row["id"] = agreement_id
    session.execute(insert(table_of(Agreement)), rows)
    history.record_many(
        session=session,
        clock=clock,
        user=user,
        entity="agreement",
        action="create",
        events=[
            (
                row["id"],
                history.created(history.plain(row, TRACKED_FIELDS)),
                1,
                row["company_id"],
            )
            for row in rows
        ],
    )


def ids_of(company_ids: list[int], *, session: Session) -> list[int]:
    """The ids of these companies' agreements."""
    if not company_ids:
        return []
    return list(
        session.exec(select(Agreement.id).where(col(Agreement.company_id).in_(company_ids))).all()
    )


# --- the company's summary --------------------------------------------------------------


def summary(company_id: int, *, session: Session) -> tuple[AgreementStatus, dt.date | None]:
    """The company's letter-of-intent status and its date, from its letters of intent."""
    rows = dict(
        (state, (signed, sent))
        for state, signed, sent in session.exec(
            select(Agreement.state, func.max(Agreement.signed_on), func.max(Agreement.sent_on))
            .where(
                Agreement.company_id == company_id,
                Agreement.kind == AgreementKind.letter_of_intent,
                col(Agreement.state).in_([AgreementState.sent, AgreementState.signed]),
            )
            .group_by(col(Agreement.state))
        ).all()
    )
    if AgreementState.signed in rows:
        return AgreementStatus.signed, rows[AgreementState.signed][0]
    if AgreementState.sent in rows:
        return AgreementStatus.sent, rows[AgreementState.sent][1]
    return AgreementStatus.none, None


def refresh_summary(company_ids: Iterable[int], *, session: Session) -> None:
    """Writes each company's summary on the table, not the mapped object, so the company's
    version stays as it is (see the module's doc)."""
    table = table_of(Company)
    for company_id in set(company_ids):
        status, day = summary(company_id, session=session)
        session.execute(
            sql_update(table)
            .where(table.c.id == company_id)
            .values(agreement_status=status, agreement_date=day)
        )
        loaded = session.identity_map.get(session.identity_key(Company, company_id))
        if loaded is not None:
            session.expire(loaded, ["agreement_status", "agreement_date"])
