"""Dependencies of routes that name a job track (or one of its parts, such as an item of
its checklist): load it, or NotFound (a 404, app/main.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.tracks import checklist
from app.tracks import service as tracks
from app.tracks.models import JobTrack, JobTrackTask


def valid_track(track_id: int, session: SessionDep) -> JobTrack:
    return tracks.get(track_id, session=session)


TrackDep = Annotated[JobTrack, Depends(valid_track)]


def valid_track_task(track_id: int, track_task_id: int, session: SessionDep) -> JobTrackTask:
    return checklist.TRACK.get_task(track_id, track_task_id, session=session)


TrackTaskDep = Annotated[JobTrackTask, Depends(valid_track_task)]
