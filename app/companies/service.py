"""Companies: create, edit, archive and restore, duplicates, tags, and the searchable list."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, insert, or_
from sqlmodel import Session, SQLModel, col, select

from app import search
from app.auth.models import Role, User
from app.clock import STOCKHOLM, Clock, today
from app.companies import orgnr
from app.companies.models import (
    AgreementStatus,
    Company,
    CompanyStatus,
    CompanyTag,
    SizeClass,
    Tag,
)
from app.db import by_name, get_typed, in_swedish_order, next_ids, swedish_key, swedish_sort_key
from app.errors import Conflict, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.text import company_name_key, fold, search_text
from app.validation import email, iso_date, long_text, optional_text, phone, required_text, typed_id

PAGE_SIZE = 25
MAX_TAGS = 20
# The fields history records and an edit conflict compares.
TRACKED_FIELDS = (
    "name",
    "org_number",
    "industry",
    "sni_code",
    "size_class",
    "municipality",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
    "status",
    "agreement_status",
    "agreement_date",
    "notes",
)


class CompanyForm(SQLModel):
    """The company form as typed; `clean()` turns it into checked values or refuses it."""

    name: str = ""
    org_number: str = ""
    industry: str = ""
    sni_code: str = ""
    size_class: str = ""
    municipality: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    status: str = CompanyStatus.prospect.value
    owner_id: str = ""
    agreement_status: str = AgreementStatus.none.value
    agreement_date: str = ""
    notes: str = ""
    tags: str = ""
    # The version the user started from (edit conflicts), and "save anyway" for duplicates.
    version: int | None = None
    confirm_duplicate: bool = False

    @classmethod
    def from_company(cls, company: Company, tags: Sequence[str]) -> CompanyForm:
        values = {name: getattr(company, name) for name in (*TRACKED_FIELDS, "owner_id")}
        typed = {k: ("" if v is None else str(getattr(v, "value", v))) for k, v in values.items()}
        return cls(**typed, tags=", ".join(tags), version=company.version)


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


@dataclass
class CleanCompany:
    values: dict[str, Any]
    tags: list[str]


def _sni(value: str) -> str | None:
    digits = value.replace(".", "").replace(" ", "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{2,5}", digits):
        raise ValidationFailed("SNI-koden ska vara 2–5 siffror, t.ex. 41.200.", field="sni_code")
    return digits if len(digits) <= 2 else f"{digits[:2]}.{digits[2:]}"


def _postal_code(value: str) -> str | None:
    digits = value.replace(" ", "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{5}", digits):
        raise ValidationFailed(
            "Postnumret ska vara fem siffror, t.ex. 123 45.", field="postal_code"
        )
    return f"{digits[:3]} {digits[3:]}"


def _website(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.match(r"^https?://", value, re.IGNORECASE):
        value = "https://" + value
    if len(value) > 300 or not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", value):
        raise ValidationFailed("Webbadressen ser inte rätt ut.", field="website")
    return value


def _choice(enum_type: Any, value: str, *, field: str, message: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def _owner(value: str, session: Session) -> int | None:
    if not value:
        return None
    owner = get_typed(session, User, value)
    if owner is None or not owner.is_active or owner.role == Role.viewer:
        raise ValidationFailed("Välj en aktiv jobbmäklare som ansvarig.", field="owner_id")
    return owner.id


def parse_tags(value: str) -> list[str]:
    names: dict[str, str] = {}
    for raw in value.split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > 50:
            raise ValidationFailed("En tagg får ha högst 50 tecken.", field="tags")
        names.setdefault(fold(name), name)
    if len(names) > MAX_TAGS:
        raise ValidationFailed("Högst 20 taggar per företag.", field="tags")
    return list(names.values())


def clean(form: CompanyForm, *, session: Session) -> CleanCompany:
    agreement = _choice(
        AgreementStatus,
        form.agreement_status,
        field="agreement_status",
        message=N_("Välj status för avsiktsförklaringen."),
    )
    agreement_date = iso_date(form.agreement_date, field="agreement_date")
    if agreement == AgreementStatus.none:
        agreement_date = None
    elif agreement_date is None:
        raise ValidationFailed(
            "Ange datum för avsiktsförklaringen (skickad eller undertecknad).",
            field="agreement_date",
        )
    values = {
        "name": required_text(
            form.name, field="name", max_length=200, message=N_("Ange företagets namn.")
        ),
        "org_number": orgnr.normalize(form.org_number),
        "industry": optional_text(form.industry, field="industry", max_length=200),
        "sni_code": _sni(form.sni_code),
        "size_class": _choice(
            SizeClass, form.size_class, field="size_class", message=N_("Välj en storleksklass.")
        )
        if form.size_class
        else None,
        "municipality": optional_text(form.municipality, field="municipality", max_length=100),
        "street_address": optional_text(
            form.street_address, field="street_address", max_length=200
        ),
        "postal_code": _postal_code(form.postal_code),
        "city": optional_text(form.city, field="city", max_length=100),
        "phone": phone(form.phone),
        "email": email(form.email),
        "website": _website(form.website),
        "status": _choice(
            CompanyStatus, form.status, field="status", message=N_("Välj en status.")
        ),
        "owner_id": _owner(form.owner_id, session),
        "agreement_status": agreement,
        "agreement_date": agreement_date,
        "notes": long_text(form.notes, field="notes"),
    }
    return CleanCompany(values=values, tags=parse_tags(form.tags))


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
    name: str, org_number: str | None, *, session: Session, exclude_id: int | None = None
) -> tuple[list[Company], bool]:
    """Companies that may be this one: (candidates, whether the org.nr itself is taken)."""
    if org_number:
        same = session.exec(select(Company).where(Company.org_number == org_number)).all()
        same = [c for c in same if c.id != exclude_id]
        if same:
            return same, True
    key = company_name_key(name)
    if not key:
        return [], False
    statement = select(Company).where(Company.name_key == key).limit(10)
    if exclude_id is not None:
        statement = statement.where(Company.id != exclude_id)
    return list(session.exec(statement).all()), False


def get(company_id: int, *, session: Session) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Företaget finns inte.")
    return company


def create(form: CompanyForm, *, user: User, session: Session, clock: Clock) -> Company:
    cleaned = clean(form, session=session)
    candidates, same_org_number = possible_duplicates(
        cleaned.values["name"], cleaned.values["org_number"], session=session
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
    return company


@dataclass
class NewCompany:
    """A checked company made ready to insert by prepare(): its row, tags and history."""

    row: dict[str, Any]
    tags: list[str]
    changes: dict[str, list[Any]]


def user_names(*, session: Session) -> dict[int, str]:
    """Every user's name by id: what history calls an owner (users are few)."""
    return dict(session.exec(select(User.id, User.full_name)).all())  # type: ignore[arg-type]


def prepare(cleaned: CleanCompany, *, names: Mapping[int, str], clock: Clock) -> NewCompany:
    """What create() would store, worked out before touching the database: create_many()
    then holds SQLite's write lock only for its inserts."""
    now = clock.now()
    row = {**cleaned.values, **_derived(cleaned.values), "created_at": now, "updated_at": now}
    tracked = {
        **history.plain(row, TRACKED_FIELDS),
        "owner": names.get(row.get("owner_id")),  # type: ignore[arg-type]
        "tags": ", ".join(sorted(cleaned.tags, key=fold)),
    }
    return NewCompany(row=row, tags=cleaned.tags, changes=history.diff({}, tracked))


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
        insert(Company.__table__),  # type: ignore[arg-type]
        [{**c.row, "id": i, "version": 1} for i, c in zip(ids, companies, strict=True)],
    )
    tag_ids = _tag_ids({fold(n): n for c in companies for n in c.tags}, session=session)
    links = [
        {"company_id": company_id, "tag_id": tag_ids[key]}
        for company_id, c in zip(ids, companies, strict=True)
        for key in {fold(name) for name in c.tags}
    ]
    if links:
        session.execute(insert(CompanyTag.__table__), links)  # type: ignore[arg-type]
    history.record_many(
        session=session,
        clock=clock,
        user=user,
        entity="company",
        action="create",
        events=[(i, c.changes, 1) for i, c in zip(ids, companies, strict=True)],
    )
    return ids


def taken_org_numbers(numbers: Sequence[str], *, session: Session) -> set[str]:
    """Which of these org.nrs a company in the register has."""
    if not numbers:
        return set()
    return set(
        session.exec(select(Company.org_number).where(Company.org_number.in_(numbers))).all()  # type: ignore[union-attr, arg-type]
    )


def _tag_ids(wanted: dict[str, str], *, session: Session) -> dict[str, int]:
    """The ids of these tags (by folded name), created when new."""
    if not wanted:
        return {}
    found = dict(
        session.exec(select(Tag.name_key, Tag.id).where(Tag.name_key.in_(list(wanted)))).all()  # type: ignore[attr-defined]
    )
    for key, name in wanted.items():
        if key not in found:
            tag = Tag(name=name, name_key=key)
            session.add(tag)
            session.flush()
            found[key] = tag.id
    return found  # type: ignore[return-value]


def _tracked(company: Company, tags: Sequence[str], session: Session) -> dict[str, Any]:
    """What history compares: the fields, the owner by name, the tags as one text."""
    owner = session.get(User, company.owner_id) if company.owner_id else None
    return {
        **history.snapshot(company, TRACKED_FIELDS),
        "owner": owner.full_name if owner else None,
        "tags": ", ".join(sorted(tags, key=fold)),
    }


def update(
    company: Company, form: CompanyForm, *, user: User, session: Session, clock: Clock
) -> Company:
    if company.merged_into_id is not None:
        raise MergedAway(session.get(Company, company.merged_into_id))
    history.check_version(company, "company", form.version, conflict=EditConflict, session=session)
    cleaned = clean(form, session=session)
    if cleaned.values["org_number"]:
        taken, _ = possible_duplicates(
            "", cleaned.values["org_number"], session=session, exclude_id=company.id
        )
        if taken:
            raise DuplicateSuspected(taken, same_org_number=True)
    before = _tracked(company, tag_names(company.id, session=session), session)  # type: ignore[arg-type]
    _apply(company, cleaned)
    changes = history.diff(before, _tracked(company, cleaned.tags, session))
    if not changes:
        return company
    company.updated_at = clock.now()
    session.add(company)
    history.flush_or_conflict(
        company, "company", form.version, conflict=EditConflict, get=get, session=session
    )
    set_tags(company, cleaned.tags, session=session)
    _record(company, "update", changes, user=user, session=session, clock=clock)
    return company


def rebase(form: CompanyForm, error: EditConflict, *, session: Session) -> CompanyForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both of
    them changed keep the user's value (the conflict message shows the other's)."""
    current = error.current
    current_form = CompanyForm.from_company(current, tag_names(current.id, session=session))  # type: ignore[arg-type]
    result = form.model_copy()
    for changed, before in history.values_before(error.changes).items():
        name = "owner_id" if changed == "owner" else changed
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


def _record(
    company: Company,
    action: str,
    changes: dict[str, Any] | None = None,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    """One history event for this company, at its version after the change."""
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="company",
        entity_id=company.id,  # type: ignore[arg-type]
        action=action,
        changes=changes,
        version=company.version,
    )


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


# --- tags -------------------------------------------------------------------------------


def set_tags(company: Company, names: Sequence[str], *, session: Session) -> None:
    wanted = {fold(name): name for name in names}
    existing = (
        {
            tag.name_key: tag
            for tag in session.exec(select(Tag).where(Tag.name_key.in_(list(wanted)))).all()  # type: ignore[attr-defined]
        }
        if wanted
        else {}
    )
    for key, name in wanted.items():
        if key not in existing:
            existing[key] = Tag(name=name, name_key=key)
            session.add(existing[key])
    session.flush()
    keep = {existing[key].id for key in wanted}
    current = session.exec(select(CompanyTag).where(CompanyTag.company_id == company.id)).all()
    for link in current:
        if link.tag_id not in keep:
            session.delete(link)
    have = {link.tag_id for link in current}
    for tag_id in keep - have:
        session.add(CompanyTag(company_id=company.id, tag_id=tag_id))  # type: ignore[arg-type]
    session.flush()


def tags_by_company(company_ids: Sequence[int], *, session: Session) -> dict[int, list[str]]:
    """Tag names of many companies in one query, in Swedish order."""
    if not company_ids:
        return {}
    rows = session.exec(
        select(CompanyTag.company_id, Tag.name)
        .join(Tag, Tag.id == CompanyTag.tag_id)  # type: ignore[arg-type]
        .where(CompanyTag.company_id.in_(company_ids))  # type: ignore[attr-defined]
        .order_by(in_swedish_order(Tag.name))
    ).all()
    tags: dict[int, list[str]] = defaultdict(list)
    for company_id, name in rows:
        tags[company_id].append(name)
    return tags


def tag_names(company_id: int, *, session: Session) -> list[str]:
    return tags_by_company([company_id], session=session).get(company_id, [])


def all_tags(*, session: Session) -> Sequence[Tag]:
    return session.exec(select(Tag).order_by(in_swedish_order(Tag.name))).all()


def municipalities(*, session: Session) -> list[str]:
    """The municipalities in use, for the list's filter. The few hundred distinct names
    come straight off their index and are sorted here (the SQL collation would be called
    for every row on SQLite)."""
    rows = session.exec(select(Company.municipality).distinct()).all()
    return sorted((row for row in rows if row), key=swedish_sort_key)


def owners(*, session: Session) -> Sequence[User]:
    """Who can own a company: active brokers and admins, in Swedish order (sorted here:
    on SQLite the SQL collation calls Python twice for every comparison)."""
    users = session.exec(select(User).where(User.is_active, User.role != Role.viewer)).all()
    return sorted(users, key=lambda user: swedish_sort_key(user.full_name))


# --- the list ---------------------------------------------------------------------------

SORTS = {
    "name",
    "-name",
    "updated",
    "-updated",
    "last_contact",  # longest since contact first; never contacted before all others
    "-last_contact",  # most recently contacted first; never contacted last
    "follow_up",  # soonest follow-up first; none last
}
# "Ej kontaktad på N dagar": the choices of the list's filter.
NOT_CONTACTED_DAYS = (30, 60, 90, 180)


class CompanyFilters(SQLModel):
    """The list's whole state; it lives in the URL's query string."""

    q: str = ""
    status: str = ""
    owner: str = ""  # "" all, "me", "none", or a user id
    municipality: str = ""
    tag: str = ""
    # Not contacted in this many days (one of NOT_CONTACTED_DAYS); 0 is no filter.
    not_contacted: int = 0
    archived: bool = False
    sort: str = "name"
    page: int = 1

    def normalized(self) -> CompanyFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return CompanyFilters(
            q=self.q.strip()[:200],
            status=self.status if self.status in CompanyStatus._value2member_map_ else "",
            owner=self.owner if self.owner in ("me", "none") or typed_id(self.owner) else "",
            municipality=self.municipality.strip()[:100],
            tag=self.tag if typed_id(self.tag) else "",
            not_contacted=self.not_contacted if self.not_contacted in NOT_CONTACTED_DAYS else 0,
            archived=self.archived,
            sort=self.sort if self.sort in SORTS else "name",
            page=max(1, min(self.page, 10_000)),
        )


@dataclass
class ListedCompany:
    company: Company
    owner_name: str | None
    tags: list[str] = field(default_factory=list)


@dataclass
class CompanyPage:
    rows: list[ListedCompany]
    page: int
    has_next: bool


def not_contacted_since(days: int, *, clock: Clock) -> dt.datetime:
    """The instant before which a company's last contact means "not contacted in N days":
    the start of the day N days before today, in Stockholm."""
    day = today(clock) - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def filtered(
    filters: CompanyFilters,
    *columns: Any,
    user: User,
    session: Session,
    clock: Clock | None = None,
) -> Select[Any]:
    """The list's query for these columns (of Company, and of User: the owner, outer
    joined), searched, filtered and sorted, without paging: the list pages through it, the
    CSV export streams it whole. The "not contacted" filter counts days from today, so it
    needs the clock."""
    f = filters.normalized()
    statement = select(*columns).outerjoin(User, User.id == Company.owner_id)  # type: ignore[arg-type]
    statement = statement.where(
        Company.archived_at.is_not(None) if f.archived else Company.archived_at.is_(None)  # type: ignore[union-attr]
    )
    dialect = session.get_bind().dialect.name
    condition = search.matches(
        f.q,
        id_column=Company.id,
        search_column=Company.search_text,
        fts_table="company_search",
        session=session,
    )
    if condition is not None:
        statement = statement.where(condition)
    if f.status:
        statement = statement.where(Company.status == CompanyStatus(f.status))
    if f.owner == "none":
        statement = statement.where(col(Company.owner_id).is_(None))
    elif f.owner:
        statement = statement.where(
            Company.owner_id == (user.id if f.owner == "me" else int(f.owner))
        )
    if f.municipality:
        statement = statement.where(Company.municipality == f.municipality)
    if f.tag:
        statement = statement.where(
            Company.id.in_(select(CompanyTag.company_id).where(CompanyTag.tag_id == int(f.tag)))  # type: ignore[union-attr]
        )
    if f.not_contacted:
        if clock is None:
            raise ValueError("the not-contacted filter needs the clock")
        since = not_contacted_since(f.not_contacted, clock=clock)
        statement = statement.where(
            or_(Company.last_contact_at.is_(None), Company.last_contact_at < since)  # type: ignore[union-attr,operator]
        )
    last_contact = Company.last_contact_at
    order = {
        "name": [by_name(Company.name, Company.sort_key, dialect=dialect)],
        "-name": [by_name(Company.name, Company.sort_key, dialect=dialect).desc()],
        "updated": [Company.updated_at.desc()],  # type: ignore[attr-defined]
        "-updated": [Company.updated_at.asc()],  # type: ignore[attr-defined]
        "last_contact": [last_contact.asc().nulls_first()],  # type: ignore[union-attr]
        "-last_contact": [last_contact.desc().nulls_last()],  # type: ignore[union-attr]
        "follow_up": [Company.next_follow_up_on.asc().nulls_last()],  # type: ignore[union-attr]
    }[f.sort]
    return statement.order_by(*order, Company.id)


def list_(
    filters: CompanyFilters, *, user: User, session: Session, clock: Clock | None = None
) -> CompanyPage:
    """One page of companies. One query for the rows (+1 for their tags); no COUNT: the
    page asks for one row more than it shows to know whether there is a next page."""
    f = filters.normalized()
    statement = filtered(f, Company, User.full_name, user=user, session=session, clock=clock)
    statement = statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    found = session.exec(statement).all()
    rows = [ListedCompany(company=c, owner_name=name) for c, name in found[:PAGE_SIZE]]
    tags = tags_by_company([r.company.id for r in rows], session=session)  # type: ignore[misc]
    for row in rows:
        row.tags = tags.get(row.company.id, [])  # type: ignore[arg-type]
    return CompanyPage(rows=rows, page=f.page, has_next=len(found) > PAGE_SIZE)
