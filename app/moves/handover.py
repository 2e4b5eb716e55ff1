"""Handing companies over to another broker: all of one broker's companies (someone who
leaves or goes on leave), or a selection from the company list. Admins only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.clock import Clock
from app.companies.models import Company
from app.db import in_swedish_order
from app.errors import Conflict, NotFound, ValidationFailed
from app.history import service as history

MAX_SELECTED = 500


@dataclass(frozen=True)
class OwnerCount:
    """A user who owns companies, and how many (archived ones included)."""

    user: User
    companies: int


def owners_with_companies(*, session: Session) -> list[OwnerCount]:
    """Everyone who owns at least one company, also inactive users, in Swedish order."""
    count = func.count(col(Company.id))
    rows = session.exec(
        select(User, count)
        .join(Company, col(Company.owner_id) == col(User.id))
        .group_by(col(User.id))
        .order_by(in_swedish_order(User.full_name), col(User.id))
    ).all()
    return [OwnerCount(user=user, companies=n) for user, n in rows]


def count_owned(owner: User, *, session: Session) -> int:
    return session.exec(
        select(func.count(col(Company.id))).where(Company.owner_id == owner.id)
    ).one()


def _user(user_id: int | None, *, session: Session, field: str) -> User:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        raise ValidationFailed("Välj en användare.", field=field)
    return user


def receiver(user_id: int | None, *, session: Session) -> User:
    """The broker companies are handed over to: active, and allowed to own companies."""
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.is_active or user.role == Role.viewer:
        raise ValidationFailed(
            "Företag kan bara lämnas över till en aktiv jobbmäklare eller administratör.",
            field="to_user_id",
        )
    return user


def check_all(
    from_user_id: int | None, to_user_id: int | None, *, session: Session
) -> tuple[User, User]:
    """The two users of a handover of everything, or a refusal."""
    giver = _user(from_user_id, session=session, field="from_user_id")
    taker = receiver(to_user_id, session=session)
    if giver.id == taker.id:
        raise ValidationFailed("Välj en annan jobbmäklare att lämna över till.", field="to_user_id")
    return giver, taker


def hand_over_all(
    from_user_id: int | None,
    to_user_id: int | None,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> tuple[int, User]:
    """Every company `from_user` owns goes to `to_user`: (how many, the receiver)."""
    giver, taker = check_all(from_user_id, to_user_id, session=session)
    owned = session.exec(select(Company).where(Company.owner_id == giver.id)).all()
    if not owned:
        raise ValidationFailed(
            "%(name)s har inga företag att lämna över.",
            field="from_user_id",
            variables={"name": giver.full_name},
        )
    return _hand_over(owned, taker, user=user, session=session, clock=clock), taker


def hand_over(
    company_ids: Sequence[int],
    to_user_id: int | None,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> tuple[int, User]:
    """The selected companies go to `to_user`: (how many changed owner, the receiver).
    Companies the receiver owns already are left as they are."""
    ids = sorted(set(company_ids))
    if not ids:
        raise ValidationFailed("Välj minst ett företag att lämna över.", field="company_ids")
    if len(ids) > MAX_SELECTED:
        raise ValidationFailed(
            "Högst %(max)s företag åt gången.", field="company_ids", variables={"max": MAX_SELECTED}
        )
    taker = receiver(to_user_id, session=session)
    found = session.exec(select(Company).where(col(Company.id).in_(ids))).all()
    if len(found) != len(ids):
        raise NotFound("Något av de valda företagen finns inte längre.")
    moving = [company for company in found if company.owner_id != taker.id]
    return _hand_over(moving, taker, user=user, session=session, clock=clock), taker


def _hand_over(
    moving: Sequence[Company], taker: User, *, user: User, session: Session, clock: Clock
) -> int:
    """Changes the owner of these companies: one query for the old owners' names, a new
    version and a history event per company. The caller commits."""
    old_ids = {c.owner_id for c in moving if c.owner_id is not None}
    names = (
        {
            u.id: u.full_name
            for u in session.exec(select(User).where(col(User.id).in_(old_ids))).all()
        }
        if old_ids
        else {}
    )
    before = {c.id: c.owner_id for c in moving}
    now = clock.now()
    for company in moving:
        company.owner_id = taker.id
        company.updated_at = now
        session.add(company)
    try:
        session.flush()  # UPDATE ... WHERE version = <what we read>, per company
    except StaleDataError:
        raise Conflict("Ett av företagen ändrades samtidigt av någon annan. Försök igen.") from None
    for company in moving:
        old = before[company.id]
        history.record(
            session=session,
            clock=clock,
            user=user,
            entity="company",
            entity_id=company.id,
            action="handover",
            changes={"owner": [names.get(old) if old else None, taker.full_name]},
            version=company.version,
        )
    session.flush()
    return len(moving)
