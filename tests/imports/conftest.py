"""Helpers for the import tests: the sample sheets, a job analysed and run synchronously."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.imports import engine, jobs
from app.imports.models import ImportKind
from app.imports.options import ImportOptions
from tests.factories import make_user

# The sample sheets of ../shared/samples, kept with the tests so any checkout has them.
SAMPLES = Path(__file__).parents[1] / "samples"
HERE = Path(__file__).parent / "data"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", full_name="Anna Andersson")


def analysed(session, clock, user, data: bytes, name: str, kind: str, **choices):
    analysis = engine.analyse(
        data, name, kind=ImportKind(kind), user=user, session=session, clock=clock
    )
    options = analysis.options.model_copy(update=choices)
    engine.set_options(analysis.job, ImportOptions.model_validate(options), session=session)
    session.commit()
    return analysis.job


def imported(session, clock, user, data: bytes, name: str, kind: str, **choices):
    job = analysed(session, clock, user, data, name, kind, **choices)
    engine.queue(job, session=session)
    session.commit()
    return jobs.run(job.id, session=session, clock=clock)
