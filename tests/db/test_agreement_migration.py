"""The agreements migration (1042e41102c3) on the engine under test: each company's letter
of intent becomes an agreement, the company keeps its summary, signed letters of intent
count the same from either, and the downgrade leaves the companies as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Date, Engine, bindparam, inspect, text
from sqlmodel import Session

from app.agreements import service as agreements
from app.cli import _alembic_config
from app.companies.models import AgreementStatus
from app.db import UTCDateTime, make_engine
from tests.databases import throwaway_database

BEFORE_AGREEMENTS = "3a7c9e1f5b20"

D = dt.date
SAVED_AT = dt.datetime(2025, 12, 1, 8, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class OldCompany:
    name: str
    owner: str | None  # a username
    municipality: str | None
    agreement_status: str
    agreement_date: dt.date | None
    merged_into: str | None = None  # a name


COMPANIES = [
    OldCompany("Alfa Bygg AB", "bo", "Ängelholm", "none", None),
    # A stale date on a company with none: still no letter of intent.
    OldCompany("Iota Verkstad AB", "bo", "Ängelholm", "none", D(2025, 3, 3)),
    OldCompany("Beta Städ AB", "bo", "Båstad", "sent", D(2025, 11, 20)),
    OldCompany("Theta Café AB", "cia", "Ängelholm", "sent", D(2025, 5, 10)),
    OldCompany("Gamma Vård AB", "bo", "Ängelholm", "signed", D(2024, 5, 14)),
    OldCompany("Delta Lager AB", "cia", "Ängelholm", "signed", D(2025, 5, 2)),
    OldCompany("Epsilon Kök AB", "bo", "Båstad", "signed", D(2025, 5, 31)),
    OldCompany("Zeta Måleri AB", None, None, "signed", D(2025, 12, 31)),
    OldCompany("Eta Transport AB", "cia", "Båstad", "signed", D(2026, 1, 1)),
    # A duplicate merged into Delta keeps its own status, and the old report counted it.
    OldCompany(
        "Delta Lager Aktiebolag", "cia", "Ängelholm", "signed", D(2025, 5, 20), "Delta Lager AB"
    ),
]

# (first, last, owner, municipality) -> signed letters of intent in that period.
PERIODS = [
    ((D(2025, 1, 1), D(2025, 12, 31), None, None), 4),
    ((D(2024, 1, 1), D(2024, 12, 31), None, None), 1),
    ((D(2025, 5, 1), D(2025, 5, 31), None, None), 3),
    ((D(2025, 12, 1), D(2025, 12, 31), None, None), 1),
    ((D(2026, 1, 1), D(2026, 1, 31), None, None), 1),
    # Sent, never signed, in November: nothing.
    ((D(2025, 11, 1), D(2025, 11, 30), None, None), 0),
    ((D(2025, 1, 1), D(2025, 12, 31), "cia", None), 2),
    ((D(2025, 1, 1), D(2025, 12, 31), "bo", None), 1),
    ((D(2024, 1, 1), D(2026, 12, 31), None, "Båstad"), 2),
    ((D(2025, 5, 1), D(2025, 5, 31), "cia", "Ängelholm"), 2),
]

INSERT_USER = text(
    "INSERT INTO user_account (username, full_name, email, role, password_hash, is_active, "
    "locale, created_at, password_changed_at, csv_delimiter) "
    "VALUES (:username, :full_name, NULL, 'broker', 'not-a-hash', :active, 'sv', :at, :at, ';')"
).bindparams(bindparam("at", type_=UTCDateTime()))

INSERT_COMPANY = text(
    "INSERT INTO company (name, status, owner_id, municipality, agreement_status, "
    "agreement_date, notes, search_text, name_key, sort_key, merged_into_id, archived_at, "
    "created_at, updated_at, version) "
    "VALUES (:name, 'active', :owner_id, :municipality, :agreement_status, :agreement_date, "
    "'', :search_text, :name_key, :name_key, :merged_into_id, :archived_at, :created_at, "
    ":updated_at, :version)"
).bindparams(
    bindparam("agreement_date", type_=Date()),
    bindparam("archived_at", type_=UTCDateTime()),
    bindparam("created_at", type_=UTCDateTime()),
    bindparam("updated_at", type_=UTCDateTime()),
)

COMPANY_ROWS = text(
    "SELECT id, name, status, owner_id, municipality, agreement_status, agreement_date, "
    "notes, merged_into_id, updated_at, version FROM company ORDER BY id"
).columns(agreement_date=Date(), updated_at=UTCDateTime())

AGREEMENT_ROWS = text(
    "SELECT c.name, a.kind, a.state, a.sent_on, a.signed_on, a.valid_from, a.valid_to, "
    "a.assignment_id, a.unit_signatory_id, a.renews_id, a.notes, a.created_by_id, "
    "a.created_at, a.updated_at, a.version "
    "FROM agreement a JOIN company c ON c.id = a.company_id ORDER BY c.id"
).columns(
    sent_on=Date(),
    signed_on=Date(),
    valid_from=Date(),
    valid_to=Date(),
    created_at=UTCDateTime(),
    updated_at=UTCDateTime(),
)


def signed_the_old_way(
    connection: Any, first: dt.date, last: dt.date, owner_id: int | None, place: str | None
) -> int:
    """What the report counted before agreements: companies whose letter of intent is
    signed, dated in the period."""
    sql = (
        "SELECT count(*) FROM company WHERE agreement_status = 'signed' "
        "AND agreement_date >= :first AND agreement_date <= :last"
    )
    return _count(connection, sql, first, last, owner_id, place, prefix="")


def signed_the_new_way(
    connection: Any, first: dt.date, last: dt.date, owner_id: int | None, place: str | None
) -> int:
    """What the report counts now: letters of intent signed in the period, ended ones too,
    with the company for an owner or a municipality."""
    sql = (
        "SELECT count(*) FROM agreement a JOIN company c ON c.id = a.company_id "
        "WHERE a.kind = 'letter_of_intent' AND a.state IN ('signed', 'ended') "
        "AND a.signed_on >= :first AND a.signed_on <= :last"
    )
    return _count(connection, sql, first, last, owner_id, place, prefix="c.")


def _count(
    connection: Any,
    sql: str,
    first: dt.date,
    last: dt.date,
    owner_id: int | None,
    place: str | None,
    *,
    prefix: str,
) -> int:
    values: dict[str, Any] = {"first": first, "last": last}
    params = [bindparam("first", type_=Date()), bindparam("last", type_=Date())]
    if owner_id is not None:
        sql += f" AND {prefix}owner_id = :owner_id"
        values["owner_id"] = owner_id
    if place is not None:
        sql += f" AND {prefix}municipality = :place"
        values["place"] = place
    return connection.execute(text(sql).bindparams(*params), values).scalar_one()


@pytest.fixture
def database(tmp_path) -> Iterator[tuple[Config, Engine]]:
    """A database at the revision before agreements."""
    with throwaway_database(tmp_path, "agreement-migration") as url:
        config = _alembic_config(url)
        config.attributes["configure_logger"] = False
        engine = make_engine(url)
        try:
            command.upgrade(config, BEFORE_AGREEMENTS)
            yield config, engine
        finally:
            engine.dispose()


def insert_old_data(engine: Engine) -> dict[str, int]:
    """Two brokers and COMPANIES, as the old schema held them; the users' ids by username."""
    with engine.begin() as connection:
        for username, full_name in (("bo", "Bo Ek"), ("cia", "Cia Lind")):
            connection.execute(
                INSERT_USER,
                {"username": username, "full_name": full_name, "active": True, "at": SAVED_AT},
            )
        users = dict(connection.execute(text("SELECT username, id FROM user_account")).all())
        ids: dict[str, int] = {}
        for number, old in enumerate(COMPANIES):
            key = old.name.lower()
            merged = old.merged_into is not None
            connection.execute(
                INSERT_COMPANY,
                {
                    "name": old.name,
                    "owner_id": users[old.owner] if old.owner else None,
                    "municipality": old.municipality,
                    "agreement_status": old.agreement_status,
                    "agreement_date": old.agreement_date,
                    "search_text": key,
                    "name_key": key,
                    "merged_into_id": ids[old.merged_into] if old.merged_into else None,
                    "archived_at": SAVED_AT if merged else None,
                    "created_at": SAVED_AT - dt.timedelta(days=400),
                    # Each saved at its own moment: the agreement is registered then.
                    "updated_at": SAVED_AT + dt.timedelta(minutes=number),
                    "version": 3,
                },
            )
            ids[old.name] = connection.execute(
                text("SELECT id FROM company WHERE name = :name"), {"name": old.name}
            ).scalar_one()
    return users


def company_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(COMPANY_ROWS)]


def agreement_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(AGREEMENT_ROWS).mappings()]


def expected_agreements() -> list[dict[str, Any]]:
    expected = []
    for number, old in enumerate(COMPANIES):
        if old.agreement_status == "none":
            continue
        saved = SAVED_AT + dt.timedelta(minutes=number)
        expected.append(
            {
                "name": old.name,
                "kind": "letter_of_intent",
                "state": old.agreement_status,
                "sent_on": old.agreement_date if old.agreement_status == "sent" else None,
                "signed_on": old.agreement_date if old.agreement_status == "signed" else None,
                "valid_from": None,
                "valid_to": None,
                "assignment_id": None,
                "unit_signatory_id": None,
                "renews_id": None,
                "notes": "",
                "created_by_id": None,
                "created_at": saved,
                "updated_at": saved,
                "version": 1,
            }
        )
    return expected


def test_each_letter_of_intent_becomes_an_agreement_and_the_company_keeps_its_own(database):
    config, engine = database
    insert_old_data(engine)
    before = company_rows(engine)

    command.upgrade(config, "head")

    assert agreement_rows(engine) == expected_agreements()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM agreement_signatory")).scalar() == 0
    assert company_rows(engine) == before
    # The summary the service keeps from now on is the one the companies already hold: the
    # first save of an agreement changes no other company's letter of intent.
    with Session(engine) as session:
        for row in before:
            company_id, status, day = row[0], row[5], row[6]
            expected = (status, day) if status != "none" else (AgreementStatus.none, None)
            assert agreements.summary(company_id, session=session) == expected


def test_signed_letters_of_intent_count_the_same_from_the_agreements(database):
    config, engine = database
    users = insert_old_data(engine)
    with engine.connect() as connection:
        old = [
            signed_the_old_way(connection, first, last, users[owner] if owner else None, place)
            for (first, last, owner, place), _ in PERIODS
        ]
    assert old == [count for _, count in PERIODS]

    command.upgrade(config, "head")

    with engine.connect() as connection:
        for (first, last, owner, place), count in PERIODS:
            owner_id = users[owner] if owner else None
            assert signed_the_old_way(connection, first, last, owner_id, place) == count
            assert signed_the_new_way(connection, first, last, owner_id, place) == count, (
                first,
                last,
                owner,
                place,
            )


def test_the_downgrade_leaves_the_companies_as_they_were_and_up_again_is_the_same(database):
    config, engine = database
    insert_old_data(engine)
    before = company_rows(engine)
    command.upgrade(config, "head")

    command.downgrade(config, BEFORE_AGREEMENTS)

    engine.dispose()
    tables = set(inspect(engine).get_table_names())
    assert not {"agreement", "agreement_signatory"} & tables
    assert company_rows(engine) == before
    command.upgrade(config, "head")
    assert agreement_rows(engine) == expected_agreements()
