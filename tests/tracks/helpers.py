"""What the tests of a track's links and results share: employers on a track, and the
track's assignments and events, through the real services."""

from __future__ import annotations

from sqlmodel import Session

from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.tracks.models import JobTrack, JobTrackCompany


def take_part(session: Session, clock: Clock, track: JobTrack, company: Company) -> None:
    """The company is one of the track's employers."""
    session.add(JobTrackCompany(track_id=track.id, company_id=company.id, created_at=clock.now()))
    session.commit()


def make_assignment(
    session: Session, clock: Clock, company: Company, user: User, **fields: str
) -> Assignment:
    form = assignments.AssignmentForm(
        **{"occupation": "Lagerarbetare", "source_user_id": str(user.id), **fields}
    )
    assignment = assignments.create(company, form, user=user, session=session, clock=clock)
    session.commit()
    return assignment
