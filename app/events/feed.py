"""A user's personal calendar feed: a secret URL a calendar client subscribes to, with the
user's events and open follow-ups. Only the token's hash is stored (as for sessions), so
the URL is shown once, when it is made; making a new one revokes the old, and a revoked or
unknown token finds nothing.

What is "mine": events I own or am on the team of, and the open follow-ups Min dag counts
as mine (app/today/service.py): on companies I own, or written by me, archived companies
left out. The feed is bounded in time, so it stays small and fast however old the data.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.activities.models import Activity
from app.auth.models import User
from app.auth.sessions import hash_token
from app.clock import Clock, today
from app.companies.models import Company
from app.events.ics import FollowUpEntry
from app.events.models import CalendarFeedToken, EventMember, RecruitmentEvent
from app.query import select_columns

# The feed's window: what a calendar needs to look back at and plan ahead for.
PAST = dt.timedelta(days=90)
AHEAD = dt.timedelta(days=365)


def active_token(user: User, *, session: Session) -> CalendarFeedToken | None:
    """The user's live feed token (only its hash and dates), if any."""
    return session.exec(
        select(CalendarFeedToken)
        .where(
            CalendarFeedToken.user_id == user.id,
            col(CalendarFeedToken.revoked_at).is_(None),
        )
        .order_by(col(CalendarFeedToken.created_at).desc())
        .limit(1)
    ).first()


def revoke(user: User, *, session: Session, clock: Clock) -> int:
    """Ends the user's feed: its URL finds nothing from now on. How many were revoked."""
    result = session.exec(
        update(CalendarFeedToken)
        .where(
            col(CalendarFeedToken.user_id) == user.id,
            col(CalendarFeedToken.revoked_at).is_(None),
        )
        .values(revoked_at=clock.now())
    )
    return result.rowcount or 0


def create(user: User, *, session: Session, clock: Clock) -> str:
    """A new feed token for the user, the old one revoked. Returns the token, which is
    never stored: the caller shows it once."""
    revoke(user, session=session, clock=clock)
    token = secrets.token_urlsafe(32)
    session.add(
        CalendarFeedToken(user_id=user.id, token_hash=hash_token(token), created_at=clock.now())
    )
    session.flush()
    return token


def user_for(token: str, *, session: Session) -> User | None:
    """The active user whose live token this is, or None: one query."""
    if not token or len(token) > 200:
        return None
    return session.exec(
        select(User)
        .join(CalendarFeedToken, col(CalendarFeedToken.user_id) == User.id)
        .where(
            CalendarFeedToken.token_hash == hash_token(token),
            col(CalendarFeedToken.revoked_at).is_(None),
            col(User.is_active).is_(True),
        )
    ).first()


def my_events(user: User, *, session: Session, clock: Clock) -> list[RecruitmentEvent]:
    """Events I own or am on the team of, from PAST ago to AHEAD: one query (by the owner
    index and the member index)."""
    now = clock.now()
    teams = select(EventMember.event_id).where(EventMember.user_id == user.id)
    return list(
        session.exec(
            select(RecruitmentEvent)
            .where(
                or_(col(RecruitmentEvent.owner_id) == user.id, col(RecruitmentEvent.id).in_(teams)),
                col(RecruitmentEvent.starts_at) < now + AHEAD,
                col(RecruitmentEvent.ends_at) > now - PAST,
            )
            .order_by(col(RecruitmentEvent.starts_at), col(RecruitmentEvent.id))
        ).all()
    )


def my_follow_ups(user: User, *, session: Session, clock: Clock) -> list[FollowUpEntry]:
    """My open follow-ups dated from PAST ago to AHEAD, by Min dag's rule of "mine": one
    query, by the two open-follow-up indexes (by company and by author)."""
    day = today(clock)
    owned = select(Company.id).where(Company.owner_id == user.id)
    rows = session.exec(
        select_columns(
            Activity.id,
            Activity.company_id,
            Company.name,
            Activity.follow_up_on,
            Activity.notes,
            Activity.updated_at,
        )
        .join(Company, col(Company.id) == Activity.company_id)
        .where(
            col(Activity.follow_up_done_at).is_(None),
            col(Activity.follow_up_on) >= day - PAST,
            col(Activity.follow_up_on) <= day + AHEAD,
            col(Company.archived_at).is_(None),
            or_(col(Activity.company_id).in_(owned), col(Activity.user_id) == user.id),
        )
        .order_by(col(Activity.follow_up_on), col(Activity.id))
    ).all()
    return [
        FollowUpEntry(
            activity_id=activity_id,
            company_id=company_id,
            company_name=name,
            day=day_,
            notes=notes,
            updated_at=updated_at,
        )
        for activity_id, company_id, name, day_, notes, updated_at in rows
    ]
