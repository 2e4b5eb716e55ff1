"""Companies: create, edit, archive and restore, duplicates, tags, and the searchable list.
The form and its cleaning are in form.py, the list in listing.py, tags in tags.py; their
names callers use are importable from here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.agreements import service as agreements
from app.auth.models import Role, User
from app.clock import Clock
from app.companies.form import TRACKED_FIELDS, CleanCompany, CompanyForm, clean, parse_tags
from app.companies.listing import KIND_ALL as KIND_ALL
from app.companies.listing import NOT_CONTACTED_DAYS as NOT_CONTACTED_DAYS
from app.companies.listing import CompanyFilters as CompanyFilters
from app.companies.listing import CompanyRow as CompanyRow
from app.companies.listing import ListedCompany as ListedCompany
from app.companies.listing import filtered as filtered
from app.companies.listing import list_ as list_
from app.companies.listing import not_contacted_since as not_contacted_since
from app.companies.models import AgreementStatus, Company, CompanyKind, CompanyTag
from app.companies.tags import all_tags as all_tags
from app.companies.tags import set_tags, tag_ids, tag_names
from app.companies.tags import tags_by_company as tags_by_company
from app.db import get_typed, next_ids, swedish_key, swedish_sort_key
from app.errors import Conflict, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.query import distinct_values, table_of
from app.text import company_name_key, fold, search_text


class DuplicateSuspected(Conflict):
    """A company with the same org.nr or (nearly) the same name exists already."""

    def __init__(self, candidates: Sequence[Company], *, same_org_number: bool) -> None:
        message = (
            N_("Det finns redan ett företag med det organisationsnumret.")
            if same_org_number
            else N_("Det finns redan ett företag med liknande namn. Kontrollera innan du sparar.")
        )
        super().__init__(message, field="org_number" if same_org_number else "name")
        self.candidates = list(candidates)
        self.same_org_number = same_org_number


class MergedAway(Conflict):
    """The company was merged into another: it is kept for its history, not edited."""

    def __init__(self, into: Company | None) -> None:
        super().__init__(
            N_(
                "Företaget är sammanslaget med %(name)s och kan inte ändras. Gör ändringarna "
                "där, eller återställ företaget först."
            ),
            variables={"name": into.name if into else "?"},
        )


class EditConflict(history.EditConflict):
    """Someone saved the record after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat företaget medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


def _apply(company: Company, cleaned: CleanCompany) -> None:
    for name, value in cleaned.values.items():
        setattr(company, name, value)
    refresh_derived(company)


def refresh_derived(company: Company) -> None:
    """Recomputes what is derived from the fields: the duplicate key and the search text."""
    fields = {
        name: getattr(company, name) for name in ("name", "org_number", "city", "municipality")
    }
    for name, value in _derived(fields).items():
        setattr(company, name, value)


def _derived(values: dict[str, Any]) -> dict[str, str]:
    org_number = values.get("org_number")
    return {
        "name_key": company_name_key(values["name"]),
        "sort_key": swedish_key(values["name"]),
        "search_text": search_text(
            values["name"],
            org_number,
            org_number.replace("-", "") if org_number else None,
            values.get("city"),
            values.get("municipality"),
        ),
    }


def possible_duplicates(
    name: str,
    org_number: str | None,
    *,
    kind: CompanyKind = CompanyKind.employer,
    session: Session,
    exclude_id: int | None = None,
) -> tuple[list[Company], bool]:
    """Companies that may be this one: (candidates, whether the org.nr itself is taken).
    A similar name is a likely duplicate only among companies of the same kind (an
    employer is not a samverkanspart's duplicate, nor the reverse); an org.nr is one
    organisation's whatever its kind, and the database keeps it unique."""
    if org_number:
        same = session.exec(select(Company).where(Company.org_number == org_number)).all()
        same = [c for c in same if c.id != exclude_id]
        if same:
            return same, True
    key = company_name_key(name)
    if not key:
        return [], False
    statement = select(Company).where(Company.name_key == key, Company.kind == kind).limit(10)
    if exclude_id is not None:
        statement = statement.where(Company.id != exclude_id)
    return list(session.exec(statement).all()), False


def get(company_id: int, *, session: Session) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Företaget finns inte.")
    return company


def create(form: CompanyForm, *, user: User, session: Session, clock: Clock) -> Company:
    cleaned = clean(form, session=session, clock=clock)
    candidates, same_org_number = possible_duplicates(
        cleaned.values["name"],
        cleaned.values["org_number"],
        kind=cleaned.values["kind"],
        session=session,
    )
    if candidates and (same_org_number or not form.confirm_duplicate):
        raise DuplicateSuspected(candidates, same_org_number=same_org_number)
    now = clock.now()
    company = Company(name="", created_at=now, updated_at=now)
    _apply(company, cleaned)
    session.add(company)
    session.flush()
    set_tags(company, cleaned.tags, session=session)
    _record(
        company,
        "create",
        history.diff({}, _tracked(company, cleaned.tags, session)),
        user=user,
        session=session,
        clock=clock,
    )
    _record_letter_of_intent(company, cleaned, user=user, session=session, clock=clock)
    return company


def _record_letter_of_intent(
    company: Company, cleaned: CleanCompany, *, user: User, session: Session, clock: Clock
) -> None:
    """A letter of intent the form (an imported sheet) gives becomes an agreement of the
    company, unless the company's summary already says just that."""
    if cleaned.letter_of_intent is None:
        return
    status, day = cleaned.letter_of_intent
    if (status, day) == (company.agreement_status, company.agreement_date):
        return
    agreements.record_letter_of_intent(
        company, status, day, user=user, session=session, clock=clock
    )


@dataclass
class NewCompany:
    """A checked company made ready to insert by prepare(): its row, tags and history."""

    row: dict[str, Any]
    tags: list[str]
    changes: dict[str, list[Any]]
    letter_of_intent: tuple[AgreementStatus, dt.date | None] | None = None


def user_names(*, session: Session) -> dict[int, str]:
    """Every user's name by id: what history calls an owner (users are few)."""
    return dict(session.exec(select(User.id, User.full_name)).all())


def prepare(cleaned: CleanCompany, *, names: Mapping[int, str], clock: Clock) -> NewCompany:
    """What create() would store, worked out before touching the database: create_many()
    then holds SQLite's write lock only for its inserts."""
    now = clock.now()
    row = {**cleaned.values, **_derived(cleaned.values), "created_at": now, "updated_at": now}
    # The summary of the one letter of intent create_many() records with the company; every
    # row names the columns, as one insert takes them all.
    row["agreement_status"], row["agreement_date"] = cleaned.letter_of_intent or (
        AgreementStatus.none,
        None,
    )
    tracked = {
        **_history_names(history.plain(row, TRACKED_FIELDS)),
        "owner": None if row.get("owner_id") is None else names.get(row["owner_id"]),
        "tags": ", ".join(sorted(cleaned.tags, key=fold)),
    }
    return NewCompany(
        row=row,
        tags=cleaned.tags,
        changes=history.created(tracked),
        letter_of_intent=cleaned.letter_of_intent,
    )


def create_many(
    companies: Sequence[NewCompany], *, user: User, session: Session, clock: Clock
) -> list[int]:
    """Creates many prepared companies with their tags and history in a few statements
    (an import's batch), as create() would one by one; their ids, in order. The caller has
    made sure no org.nr is taken: the unique index refuses the whole batch otherwise."""
    if not companies:
        return []
    ids = next_ids(session, "company", len(companies))
    session.execute(
        insert(table_of(Company)),
        [{**c.row, "id": i, "version": 1} for i, c in zip(ids, companies, strict=True)],
    )
    by_key = tag_ids({fold(n): n for c in companies for n in c.tags}, session=session)
    links = [
        {"company_id": company_id, "tag_id": by_key[key]}
        for company_id, c in zip(ids, companies, strict=True)
        for key in {fold(name) for name in c.tags}
    ]
    if links:
        session.execute(insert(table_of(CompanyTag)), links)
    history.record_many(
        session=session,
        clock=clock,
        user=user,
        entity="company",
        action="create",
        events=[(i, c.changes, 1) for i, c in zip(ids, companies, strict=True)],
    )
    agreements.record_letters_of_intent(
        [
            (company_id, *c.letter_of_intent)
            for company_id, c in zip(ids, companies, strict=True)
            if c.letter_of_intent is not None
        ],
        user=user,
        session=session,
        clock=clock,
    )
    return ids


def taken_org_numbers(numbers: Sequence[str], *, session: Session) -> set[str]:
    """Which of these org.nrs a company in the register has."""
    if not numbers:
        return set()
    found = session.exec(select(Company.org_number).where(col(Company.org_number).in_(numbers)))
    return {number for number in found if number is not None}


def _tracked(company: Company, tags: Sequence[str], session: Session) -> dict[str, Any]:
    """What history compares: the fields, the owner by name, the tags as one text."""
    owner = session.get(User, company.owner_id) if company.owner_id else None
    return {
        **_history_names(history.snapshot(company, TRACKED_FIELDS)),
        "owner": owner.full_name if owner else None,
        "tags": ", ".join(sorted(tags, key=fold)),
    }


# History names a company's kind "company_kind": "kind" is an activity's or an
# agreement's, whose values read otherwise (app/history/labels.py).
_HISTORY_NAMES = {"kind": "company_kind"}
_FORM_NAMES = {"company_kind": "kind", "owner": "owner_id"}


def _history_names(values: dict[str, Any]) -> dict[str, Any]:
    return {_HISTORY_NAMES.get(name, name): value for name, value in values.items()}


def update(
    company: Company, form: CompanyForm, *, user: User, session: Session, clock: Clock
) -> Company:
    if company.merged_into_id is not None:
        raise MergedAway(session.get(Company, company.merged_into_id))
    history.check_version(company, "company", form.version, conflict=EditConflict, session=session)
    cleaned = clean(form, session=session, clock=clock)
    if cleaned.values["org_number"]:
        taken, _ = possible_duplicates(
            "", cleaned.values["org_number"], session=session, exclude_id=company.id
        )
        if taken:
            raise DuplicateSuspected(taken, same_org_number=True)
    before = _tracked(company, tag_names(company.id, session=session), session)
    _apply(company, cleaned)
    changes = history.diff(before, _tracked(company, cleaned.tags, session))
    if changes:
        company.updated_at = clock.now()
        session.add(company)
        history.flush_or_conflict(
            company, "company", form.version, conflict=EditConflict, get=get, session=session
        )
        set_tags(company, cleaned.tags, session=session)
        _record(company, "update", changes, user=user, session=session, clock=clock)
    _record_letter_of_intent(company, cleaned, user=user, session=session, clock=clock)
    return company


def rebase(form: CompanyForm, error: EditConflict, *, session: Session) -> CompanyForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both of
    them changed keep the user's value (the conflict message shows the other's)."""
    current = error.current
    current_form = CompanyForm.from_company(current, tag_names(current.id, session=session))
    result = form.model_copy()
    for changed, before in history.values_before(error.changes).items():
        name = _FORM_NAMES.get(changed, changed)
        if name not in CompanyForm.model_fields:
            continue
        typed: Any = getattr(form, name)
        if changed == "owner":
            owner = get_typed(session, User, typed)
            typed = owner.full_name if owner else None
        if changed == "tags":
            try:
                same = {fold(t) for t in parse_tags(typed)} == {
                    fold(t) for t in parse_tags(before or "")
                }
            except ValidationFailed:
                same = False
        else:
            same = history.same_value(typed, before)
        if same:
            setattr(result, name, getattr(current_form, name))
    result.version = current.version
    return result


_record = history.Recorder("company")


def archive(company: Company, *, user: User, session: Session, clock: Clock) -> Company:
    if company.archived_at is not None:
        raise Conflict("Företaget är redan arkiverat.")
    company.archived_at = clock.now()
    session.add(company)
    session.flush()
    _record(company, "archive", user=user, session=session, clock=clock)
    return company


def restore(company: Company, *, user: User, session: Session, clock: Clock) -> Company:
    if company.archived_at is None:
        raise Conflict("Företaget är inte arkiverat.")
    company.archived_at = None
    company.merged_into_id = None
    session.add(company)
    session.flush()
    _record(company, "restore", user=user, session=session, clock=clock)
    return company


def municipalities(*, session: Session) -> list[str]:
    """The municipalities in use, for the list's filter. The few hundred distinct names
    come off their index one seek each (app/query.py) and are sorted here (the SQL collation
    would be called for every row on SQLite)."""
    names = distinct_values(Company.municipality, session=session)
    return sorted((name for name in names if name), key=swedish_sort_key)


def owners(*, session: Session) -> Sequence[User]:
    """Who can own a company: active brokers and admins, in Swedish order (sorted here:
    on SQLite the SQL collation calls Python twice for every comparison)."""
    users = session.exec(select(User).where(User.is_active, User.role != Role.viewer)).all()
    return sorted(users, key=lambda user: swedish_sort_key(user.full_name))
