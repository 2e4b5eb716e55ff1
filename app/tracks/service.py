"""Job tracks: the verbs on a track itself."""

from __future__ import annotations

from sqlmodel import Session

from app.errors import NotFound
from app.tracks.models import JobTrack


def get(track_id: int, *, session: Session) -> JobTrack:
    track = session.get(JobTrack, track_id)
    if track is None:
        raise NotFound("Jobbspåret finns inte.")
    return track
