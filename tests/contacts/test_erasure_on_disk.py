"""'Radera person' on SQLite: afterwards the person's name and e-mail address are nowhere in
the database file, not even in its free pages (SQLite's secure_delete, app/db.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from app.auth.models import User
from app.cli import migrate
from app.contacts import service as contacts
from app.db import make_engine
from tests import databases
from tests.factories import make_company, make_user

pytestmark = pytest.mark.skipif(
    (databases.test_server_url() or "sqlite").split(":")[0] != "sqlite",
    reason="the SQLite file (PostgreSQL keeps dead rows until VACUUM: see the README)",
)

NAME = "Zäta Qvistberg-Ölund"
EMAIL = "zata.qvistberg@exempel-kommun.se"


def test_an_erased_person_is_not_left_in_the_file(tmp_path: Path, clock) -> None:
    path = tmp_path / "matcha.db"
    migrate(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        broker = make_user(session, clock, role="broker")
        company = make_company(session, clock, user=broker, name="Raderingsprovet AB")
        contact = contacts.create(
            company,
            contacts.ContactForm(name=NAME, email=EMAIL, phone="070-123 45 67"),
            user=broker,
            session=session,
            clock=clock,
        )
        contacts.update(
            contact,
            contacts.ContactForm(name=NAME, email=EMAIL, title="Lagerchef", version=1),
            user=broker,
            session=session,
            clock=clock,
        )
        session.commit()
        contact_id, broker_id = contact.id, broker.id
    engine.dispose()  # the last connection closed: the WAL is written into the file
    before = path.read_bytes()
    assert NAME.encode() in before and EMAIL.encode() in before

    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        found = contacts.get(contact_id, session=session)  # type: ignore[arg-type]
        user = session.get(User, broker_id)
        contacts.erase(found, user=user, session=session, clock=clock)  # type: ignore[arg-type]
        session.commit()
    engine.dispose()
    after = path.read_bytes()
    assert not Path(f"{path}-wal").exists()
    assert NAME.encode() not in after
    assert EMAIL.encode() not in after
    assert b"070-123 45 67" not in after
