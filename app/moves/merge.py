"""Merging two companies that are the same employer: one is kept, the other is archived.

What belongs to the other company moves to the kept one; the kept company's empty fields
are filled from the other, never overwritten. `plan()` says what would happen (the preview)
and `merge()` does exactly that, in the caller's transaction.

Later features add what they own to MOVERS (activities, assignments): a mover says what
would move, for the preview, and moves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.activities import service as activities
from app.activities.models import Activity
from app.agreements import service as agreements
from app.agreements.models import KIND_LABELS, Agreement
from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.auth.models import Role, User
from app.clock import Clock, to_local
from app.companies import service as companies
from app.companies.models import Company
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.errors import Conflict, ValidationFailed
from app.history import service as history
from app.i18n import N_, gettext
from app.text import fold

# Fields that belong together are filled together, and only when all of them are empty in
# the kept company: an address or an industry is never pieced together from two companies.
FILL_GROUPS: tuple[tuple[str, ...], ...] = (
    ("org_number",),
    ("industry", "sni_code"),
    ("size_class",),
    ("municipality",),
    ("street_address", "postal_code", "city"),
    ("phone",),
    ("email",),
    ("website",),
    ("owner_id",),
    ("notes",),
)


def _is_empty(value: object) -> bool:
    return value is None or value == ""


@dataclass
class Moving:
    """One kind of thing that moves to the kept company: a label and what moves, by name."""

    label: str  # a msgid, e.g. "Kontaktpersoner"
    names: list[str]


@dataclass
class MergePlan:
    kept: Company
    other: Company
    # Fields of the kept company that get the other's value: {field: value}.
    filled: dict[str, Any]
    # Fields where both have a value and the other's is not taken: {field: other's value}.
    not_taken: dict[str, Any]
    moving: list[Moving]
    # Names of the owners involved, for showing owner_id.
    owner_names: dict[int, str] = field(default_factory=dict)

    def shown(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field name as history and its labels know it, value) for showing fields."""
        return [
            ("owner", self.owner_names.get(value)) if name == "owner_id" else (name, value)
            for name, value in values.items()
        ]


@dataclass
class MergeContext:
    """What a mover gets: both companies, who merges, and the kept company's history entry
    to add its changes to."""

    kept: Company
    other: Company
    user: User
    session: Session
    clock: Clock
    kept_changes: dict[str, list[Any]]


@dataclass(frozen=True)
class Mover:
    """Something a company owns that moves to the kept company on a merge."""

    label: str  # a msgid
    preview: Callable[[Company, Company, Session], list[str]]
    move: Callable[[MergeContext], None]


# --- the movers -------------------------------------------------------------------------


def _contacts_preview(kept: Company, other: Company, session: Session) -> list[str]:
    return [c.name for c in contacts.list_for_company(other.id, session=session)]


def _move_contacts(merge: MergeContext) -> None:
    """The other's contacts move; the kept company's primary contact stays the only one."""
    moving = contacts.list_for_company(merge.other.id, session=merge.session)
    if not moving:
        return
    has_primary = (
        merge.session.exec(
            select(Contact.id).where(Contact.company_id == merge.kept.id, Contact.is_primary)
        ).first()
        is not None
    )
    changes: dict[int, dict[str, list[Any]]] = {}
    now = merge.clock.now()
    for contact in moving:
        changes[contact.id] = {"merged_from": [None, merge.other.name]}
        contact.company_id = merge.kept.id
        if contact.is_primary and has_primary:
            contact.is_primary = False
            changes[contact.id]["is_primary"] = [True, False]
        has_primary = has_primary or contact.is_primary
        contact.updated_at = now
        merge.session.add(contact)
    merge.session.flush()
    for contact in moving:
        history.record(
            session=merge.session,
            clock=merge.clock,
            user=merge.user,
            entity="contact",
            entity_id=contact.id,
            action="update",
            changes=changes[contact.id],
            company_id=merge.kept.id,
            version=contact.version,
        )


def _new_tags(kept: Company, other: Company, session: Session) -> tuple[list[str], list[str]]:
    """(the kept company's tags, the other's tags it does not have yet)."""
    tags = companies.tags_by_company([kept.id, other.id], session=session)
    have = tags.get(kept.id, [])
    keys = {fold(name) for name in have}
    return have, [name for name in tags.get(other.id, []) if fold(name) not in keys]


def _tags_preview(kept: Company, other: Company, session: Session) -> list[str]:
    return _new_tags(kept, other, session)[1]


def _move_tags(merge: MergeContext) -> None:
    """The kept company gets the union of both companies' tags (the other keeps its own)."""
    have, new = _new_tags(merge.kept, merge.other, merge.session)
    if not new:
        return
    union = sorted([*have, *new], key=fold)
    companies.set_tags(merge.kept, union, session=merge.session)
    merge.kept_changes["tags"] = [", ".join(have), ", ".join(union)]


def _activities_preview(kept: Company, other: Company, session: Session) -> list[str]:
    """The other's activities, by their date (newest first)."""
    instants = session.exec(
        select(Activity.occurred_at)
        .where(Activity.company_id == other.id)
        .order_by(col(Activity.occurred_at).desc())
    ).all()
    return [to_local(instant).date().isoformat() for instant in instants]


def _move_activities(merge: MergeContext) -> None:
    """The other's activities move; the kept company's last contact and next follow-up
    are recomputed (after the contacts, so each keeps its contact)."""
    activities.move(
        merge.other,
        merge.kept,
        user=merge.user,
        session=merge.session,
        clock=merge.clock,
    )


def _assignments_preview(kept: Company, other: Company, session: Session) -> list[str]:
    """The other's assignments, by their occupation (newest first)."""
    return list(
        session.exec(
            select(Assignment.occupation)
            .where(Assignment.company_id == other.id)
            .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        ).all()
    )


def _move_assignments(merge: MergeContext) -> None:
    """The other's assignments move, each with its contact (after the contacts)."""
    assignments.move(
        merge.other, merge.kept, user=merge.user, session=merge.session, clock=merge.clock
    )


def _agreements_preview(kept: Company, other: Company, session: Session) -> list[str]:
    """The other's agreements, by kind and the day signed, if they were."""
    found = session.exec(
        select(Agreement).where(Agreement.company_id == other.id).order_by(col(Agreement.id))
    ).all()
    return [
        " ".join(
            [gettext(KIND_LABELS[agreement.kind])]
            + ([agreement.signed_on.isoformat()] if agreement.signed_on else [])
        )
        for agreement in found
    ]


def _move_agreements(merge: MergeContext) -> None:
    """The other's agreements move; both companies' letter-of-intent summaries follow."""
    agreements.move(
        merge.other, merge.kept, user=merge.user, session=merge.session, clock=merge.clock
    )


# The one place to add what later features own (activities, assignments, ...). Each moves
# its rows to merge.kept inside the merge's transaction and records its own history.
MOVERS: list[Mover] = [
    Mover(label=N_("Kontaktpersoner"), preview=_contacts_preview, move=_move_contacts),
    Mover(label=N_("Taggar"), preview=_tags_preview, move=_move_tags),
    Mover(label=N_("Kontakthändelser"), preview=_activities_preview, move=_move_activities),
    Mover(label=N_("Rekryteringsuppdrag"), preview=_assignments_preview, move=_move_assignments),
    Mover(label=N_("Avtal"), preview=_agreements_preview, move=_move_agreements),
]


# --- plan and merge ---------------------------------------------------------------------


class StaleMerge(Conflict):
    """One of the companies changed after the preview was shown."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "Något av företagen har ändrats sedan du såg förhandsgranskningen. "
                "Granska sammanslagningen igen innan du bekräftar."
            )
        )


def check_mergeable(company: Company) -> None:
    if company.archived_at is not None:
        raise Conflict("Arkiverade företag kan inte slås samman. Återställ företaget först.")


def check(kept: Company, other: Company) -> None:
    """Refuses a merge that cannot be done, whatever the versions."""
    if kept.id == other.id:
        raise ValidationFailed("Ett företag kan inte slås samman med sig självt.")
    check_mergeable(kept)
    check_mergeable(other)


def _active_owner(owner_id: int | None, session: Session) -> User | None:
    owner = session.get(User, owner_id) if owner_id else None
    return owner if owner and owner.is_active and owner.role != Role.viewer else None


def plan(kept: Company, other: Company, *, session: Session) -> MergePlan:
    """What merging `other` into `kept` would do. Raises if it cannot be done."""
    check(kept, other)
    filled: dict[str, Any] = {}
    not_taken: dict[str, Any] = {}
    for group in FILL_GROUPS:
        theirs = {name: getattr(other, name) for name in group}
        theirs = {name: value for name, value in theirs.items() if not _is_empty(value)}
        if "owner_id" in theirs and _active_owner(theirs["owner_id"], session) is None:
            del theirs["owner_id"]  # an owner who has left does not come along
        if all(_is_empty(getattr(kept, name)) for name in group):
            filled.update(theirs)
        else:
            not_taken.update(
                {name: value for name, value in theirs.items() if getattr(kept, name) != value}
            )
    owner_ids = {v for k, v in (*filled.items(), *not_taken.items()) if k == "owner_id"}
    owner_names = (
        {
            user.id: user.full_name
            for user in session.exec(select(User).where(col(User.id).in_(owner_ids))).all()
        }
        if owner_ids
        else {}
    )
    moving = [Moving(label=m.label, names=m.preview(kept, other, session)) for m in MOVERS]
    return MergePlan(
        kept=kept,
        other=other,
        filled=filled,
        not_taken=not_taken,
        moving=moving,
        owner_names=owner_names,
    )


def _refresh_search(company: Company) -> None:
    """Recomputes name_key and search_text, the way the company service does on save."""
    companies.refresh_derived(company)


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StaleMerge from None


def merge(
    kept: Company,
    other: Company,
    *,
    kept_version: int,
    other_version: int,
    user: User,
    session: Session,
    clock: Clock,
) -> MergePlan:
    """Merges `other` into `kept`, as previewed at these versions, in one transaction.

    The caller commits, or rolls back on an error.
    """
    if kept_version != kept.version or other_version != other.version:
        check(kept, other)  # a clearer refusal first, if there is one
        raise StaleMerge
    the_plan = plan(kept, other, session=session)
    now = clock.now()

    # The other company first: its org.nr must be free before the kept company takes it.
    other_changes: dict[str, list[Any]] = {"merged_into": [None, kept.name]}
    if "org_number" in the_plan.filled:
        other_changes["org_number"] = [other.org_number, None]
        other.org_number = None
        _refresh_search(other)
    other.archived_at = now
    other.merged_into_id = kept.id
    other.updated_at = now
    session.add(other)
    _flush_or_conflict(session)  # UPDATE ... WHERE version = <the previewed version>

    filled = [name for name in the_plan.filled if name != "owner_id"]
    before = history.snapshot(kept, filled)
    for name, value in the_plan.filled.items():
        setattr(kept, name, value)
    kept_changes: dict[str, list[Any]] = {
        "merged_from": [None, other.name],
        **history.diff(before, history.snapshot(kept, filled)),
    }
    if "owner_id" in the_plan.filled:
        owner = the_plan.owner_names.get(kept.owner_id) if kept.owner_id else None
        kept_changes["owner"] = [None, owner]
    _refresh_search(kept)
    kept.updated_at = now
    # Always a new version, also when no field was filled: contacts and tags change, and
    # an edit form opened before the merge must not save its stale tags over them.
    flag_modified(kept, "updated_at")
    session.add(kept)
    _flush_or_conflict(session)

    context = MergeContext(
        kept=kept, other=other, user=user, session=session, clock=clock, kept_changes=kept_changes
    )
    for mover in MOVERS:
        mover.move(context)

    for company, changes in ((kept, kept_changes), (other, other_changes)):
        history.record(
            session=session,
            clock=clock,
            user=user,
            entity="company",
            entity_id=company.id,
            action="merge",
            changes=changes,
            version=company.version,
        )
    session.flush()
    return the_plan


def candidates(
    company: Company, q: str, *, user: User, session: Session
) -> Sequence[companies.ListedCompany]:
    """Companies to merge with: the search's first page, or likely duplicates without one.
    Never the company itself or an archived one; only companies of its kind (an employer
    is not a samverkanspart's duplicate)."""
    if q.strip():
        filters = companies.CompanyFilters(q=q, kind=company.kind.value)
        page = companies.list_(filters, user=user, session=session)
        return [row for row in page.rows if row.company.id != company.id]
    found, _ = companies.possible_duplicates(
        company.name,
        company.org_number,
        kind=company.kind,
        session=session,
        exclude_id=company.id,
    )
    active = [c for c in found if c.archived_at is None]
    names = _owner_names([c.owner_id for c in active if c.owner_id], session)
    tags = companies.tags_by_company([c.id for c in active], session=session)
    return [
        companies.ListedCompany(
            company=companies.CompanyRow.of(c),
            owner_name=names.get(c.owner_id) if c.owner_id else None,
            tags=tags.get(c.id, []),
        )
        for c in active
    ]


def _owner_names(ids: Sequence[int], session: Session) -> dict[int, str]:
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(set(ids)))).all()
    return {u.id: u.full_name for u in users}
