"""The job tracks migration (6e068bb8a68f) on the engine under test, with data in the
tables it changes: nothing is lost or cascaded away up or down, the track links are real
foreign keys (SET NULL when the track goes), SQLite keeps the search triggers of the
tables it touches, and the job tracks' default checklist is there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError

from app.cli import _alembic_config
from app.db import UTCDateTime, make_engine
from tests.databases import throwaway_database
from tests.db.test_agreement_migration import INSERT_COMPANY, INSERT_USER

BEFORE_TRACKS = "ee33a90e3e5b"
# The tracks and their partners index; later revisions add triggers of their own.
WITH_TRACKS = "cef3c4271d79"
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
LINKED = ("agreement", "assignment", "recruitment_event")

INSERT_ASSIGNMENT = text(
    "INSERT INTO assignment (company_id, occupation, positions, requirements, "
    "employment_type, source_kind, status, filled_count, notes, search_text, created_at, "
    "updated_at, version) VALUES (:company_id, 'Svetsare', 3, '', 'job_track', 'broker', "
    "'searching', 1, '', 'svetsare lindqvist', :at, :at, 2)"
).bindparams(bindparam("at", type_=UTCDateTime()))
INSERT_EVENT = text(
    "INSERT INTO recruitment_event (title, starts_at, ends_at, description, status, "
    "created_at, updated_at, version) VALUES ('Träff i Ängelholm', :at, :ends, '', "
    "'planning', :at, :at, 1)"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("ends", type_=UTCDateTime()))
INSERT_TRACK = text(
    "INSERT INTO job_track (name, occupation, description, status, round_number, "
    "created_at, updated_at, version) VALUES ('Svets', 'Svetsare', '', 'planning', 1, :at, "
    ":at, 1)"
).bindparams(bindparam("at", type_=UTCDateTime()))

COUNTED = ("company", "assignment", "recruitment_event", "event_assignment", "agreement")


@pytest.fixture
def database(tmp_path) -> Iterator[tuple[Config, Engine]]:
    """A database at the revision before job tracks, with a company, an assignment shown at
    an event, and an agreement for the assignment."""
    with throwaway_database(tmp_path, "track-migration") as url:
        config = _alembic_config(url)
        config.attributes["configure_logger"] = False
        engine = make_engine(url)
        try:
            command.upgrade(config, BEFORE_TRACKS)
            with engine.begin() as connection:
                connection.execute(
                    INSERT_USER, {"username": "bo", "full_name": "Bo Ek", "active": True, "at": AT}
                )
                connection.execute(
                    INSERT_COMPANY,
                    {
                        "name": "Lindqvist Svets AB",
                        "owner_id": None,
                        "municipality": "Ängelholm",
                        "agreement_status": "none",
                        "agreement_date": None,
                        "search_text": "lindqvist svets ab",
                        "name_key": "lindqvist svets",
                        "merged_into_id": None,
                        "archived_at": None,
                        "created_at": AT,
                        "updated_at": AT,
                        "version": 1,
                    },
                )
                company = connection.execute(text("SELECT id FROM company")).scalar_one()
                connection.execute(INSERT_ASSIGNMENT, {"company_id": company, "at": AT})
                connection.execute(INSERT_EVENT, {"at": AT, "ends": AT + dt.timedelta(hours=2)})
                connection.execute(
                    text(
                        "INSERT INTO event_assignment (event_id, assignment_id, hires) "
                        "SELECT e.id, a.id, 1 FROM recruitment_event e, assignment a"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO agreement (company_id, assignment_id, kind, state, notes, "
                        "created_at, updated_at, version) SELECT company_id, id, 'recruitment', "
                        "'draft', '', created_at, updated_at, 1 FROM assignment"
                    )
                )
            yield config, engine
        finally:
            engine.dispose()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in COUNTED
        }


def sqlite_triggers(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
        )


def test_tracks_come_and_go_without_losing_a_row(database):
    config, engine = database
    before = counts(engine)
    assert before == dict.fromkeys(COUNTED, 1)
    sqlite = engine.dialect.name == "sqlite"
    triggers = sqlite_triggers(engine) if sqlite else set()
    assert not sqlite or {"assignment_search_insert", "company_search_update"} <= triggers

    command.upgrade(config, WITH_TRACKS)

    assert counts(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kind FROM company")).scalar_one() == "employer"
        by_checklist = dict(
            connection.execute(
                text("SELECT checklist, count(*) FROM checklist_template_item GROUP BY checklist")
            ).all()
        )
        assert by_checklist["track"] == 15
        assert (
            connection.execute(
                text(
                    "SELECT count(DISTINCT phase) FROM checklist_template_item "
                    "WHERE checklist = 'track'"
                )
            ).scalar_one()
            == 4
        )
    if sqlite:
        assert sqlite_triggers(engine) == triggers
        with engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT rowid FROM assignment_search WHERE assignment_search MATCH 'lindqvist'"
            ).all()
            assert len(found) == 1
    keys = inspect(engine)
    for table in LINKED:
        (key,) = [k for k in keys.get_foreign_keys(table) if k["referred_table"] == "job_track"]
        assert key["constrained_columns"] == ["track_id"]
        assert key["options"].get("ondelete") == "SET NULL"

    # The links are real foreign keys: a track that is not there is refused, and removing
    # a track unlinks its rows and removes nothing else.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE assignment SET track_id = 424242"))
    with engine.begin() as connection:
        connection.execute(INSERT_TRACK, {"at": AT})
        track = connection.execute(text("SELECT id FROM job_track")).scalar_one()
        for table in LINKED:
            connection.execute(text(f"UPDATE {table} SET track_id = :t"), {"t": track})
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM job_track"))
    with engine.connect() as connection:
        for table in LINKED:
            assert connection.execute(text(f"SELECT track_id FROM {table}")).scalar() is None
    assert counts(engine) == before

    command.downgrade(config, BEFORE_TRACKS)

    assert counts(engine) == before
    keys = inspect(engine)
    for table in LINKED:
        assert "track_id" not in {c["name"] for c in keys.get_columns(table)}
    assert "kind" not in {c["name"] for c in keys.get_columns("company")}
    if sqlite:
        assert sqlite_triggers(engine) == triggers

    command.upgrade(config, WITH_TRACKS)
    assert counts(engine) == before
