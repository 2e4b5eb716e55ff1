"""What Matcha exports, Matcha imports back to the same data (issue 7, point 9).

A property: any companies and contact persons the services take, with text as awkward as
Swedish sheets get (åäö, quotes, `;` and `,`, line breaks, tabs, leading `=`, `+`, `-`, `@`
and `'`), exported as CSV (with `;` and with `,`) or XLSX and imported through the same
engine as the wizard and the CLI (analyse with the proposed mapping, queue, jobs.run), come
back with every field the same.

Each example runs in two throwaway transactions on the migrated, empty test database, both
rolled back: the first creates the records through the company and contact services and
exports the lists; the second starts from the empty register (only a user of the same name,
so "Ansvarig" maps back to a person) and imports the files, companies first, then contacts.
What is compared is what the database holds on each side, read the same way.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.auth.models import User
from app.clock import SettableClock
from app.companies import service as companies
from app.companies.models import AgreementStatus, Company, CompanyStatus, SizeClass
from app.companies.orgnr import luhn_ok
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.exports import files
from app.exports import service as exports
from app.exports.table import ExportFormat
from app.imports.models import ImportStatus
from app.text import company_name_key, fold
from tests.conftest import START
from tests.factories import make_user
from tests.imports.conftest import imported

OWNER = "Åsa Öberg"

# --- Text ---------------------------------------------------------------------------------

# Pieces that matter to a spreadsheet or a CSV reader, more often than chance would give them.
AWKWARD = [
    *"åäöÅÄÖéü",
    '"',
    "'",
    ";",
    ",",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "=",
    "+",
    "-",
    "@",
    "#",
    "''",
    '""',
    "=SUMMA(A1:A3)",
    '=HYPERLINK("http://x")',
    "+46 70",
    "-5",
    "@kommun",
    "#N/A",
    "sep=;",
    "_x000D_",  # OOXML's own escape, as text
    "0701",
]

# Exclusions, each what the services or the file formats themselves do with a character:
# - lone surrogates (Cs) are no text: a browser form or a file cannot send them;
# - the control characters but tab, LF and CR, and the non-characters U+FFFE and U+FFFF: a
#   worksheet (XML 1.0) cannot hold them, so the XLSX export drops them on purpose
#   (app/exports/xlsx_format.py). The CSV runs have them, but NUL: PostgreSQL refuses it, and
#   the CSV reader takes a file with NUL for binary.
# Whitespace needs no exclusion: what is compared is what the services stored (they strip
# every field, collapse whitespace in one-line fields and store line breaks as LF), and the
# import goes through the same services. Values are short: "too long" is refused, not lost.
NOT_IN_A_WORKSHEET = [chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]
_ANY = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
# C1 controls, DEL, NEL and the like a worksheet does hold: every run has them.
_OTHER_CONTROLS = st.sampled_from([chr(c) for c in range(0x7F, 0xA0)])
_ONLY_IN_CSV = st.sampled_from(NOT_IN_A_WORKSHEET)


def text(*, controls: bool, max_pieces: int = 12) -> st.SearchStrategy[str]:
    pieces = [
        st.sampled_from(AWKWARD),
        _ANY,
        _OTHER_CONTROLS,
        *([_ONLY_IN_CSV] if controls else []),
    ]
    return st.lists(st.one_of(*pieces), max_size=max_pieces).map("".join)


def line(*, controls: bool) -> st.SearchStrategy[str]:
    """A one-line field (name, address, city): the services collapse whitespace, line breaks
    included, so any text goes in; a name needs something that is not whitespace."""
    return text(controls=controls)


# Formats with what the services take there (app/validation.py): only these characters
# in a phone number, an e-mail with one @ and a dot after it and no whitespace.
PHONE = st.text(alphabet="0123456789+-()/ ", min_size=1, max_size=20).filter(
    lambda value: any(c.isdigit() for c in value)
)


def no_space(*, controls: bool, min_size: int = 1, but: str = "@") -> st.SearchStrategy[str]:
    """Text without whitespace or these characters (parts of an e-mail or web address)."""
    return (
        text(controls=controls, max_pieces=6)
        .map(lambda value: "".join(c for c in value if c not in but and not c.isspace()))
        .filter(lambda value: len(value) >= min_size)
    )


def email(*, controls: bool) -> st.SearchStrategy[str]:
    part = no_space(controls=controls)
    return st.builds(lambda a, b, c: f"{a}@{b}.{c}", part, part, part)


@st.composite
def org_number(draw: st.DrawFn) -> str:
    # Ten digits, the third 2-9 (not a personnummer), the last a Luhn check digit.
    digits = draw(st.text(alphabet=string.digits, min_size=9, max_size=9))
    digits = digits[:2] + draw(st.sampled_from("23456789")) + digits[3:]
    check = next(d for d in string.digits if luhn_ok(digits + d))
    number = digits + check
    return draw(st.sampled_from([f"{number[:6]}-{number[6:]}", number]))


def tags(*, controls: bool) -> st.SearchStrategy[str]:
    # Tags are split at commas: a comma cannot be inside one. Up to 50 characters each.
    tag = text(controls=controls, max_pieces=5).map(lambda value: value.replace(",", "")[:50])
    return st.lists(tag, max_size=3).map(", ".join)


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


@st.composite
def company_form(draw: st.DrawFn, *, controls: bool) -> dict[str, Any]:
    agreement = draw(st.sampled_from([s.value for s in AgreementStatus]))
    return {
        "name": draw(line(controls=controls).filter(lambda value: value.split())),
        "org_number": draw(optional(org_number())),
        "industry": draw(line(controls=controls)),
        "sni_code": draw(optional(st.text(alphabet=string.digits, min_size=2, max_size=5))),
        "size_class": draw(st.sampled_from(["", *(s.value for s in SizeClass)])),
        "municipality": draw(line(controls=controls)),
        "street_address": draw(line(controls=controls)),
        "postal_code": draw(optional(st.text(alphabet=string.digits, min_size=5, max_size=5))),
        "city": draw(line(controls=controls)),
        "phone": draw(optional(PHONE)),
        "email": draw(optional(email(controls=controls))),
        "website": draw(
            optional(
                st.builds(
                    lambda scheme, host, path: f"{scheme}{host}.se/{path}",
                    st.sampled_from(["", "http://", "https://"]),
                    no_space(controls=controls, but="/"),  # the host
                    no_space(controls=controls, min_size=0, but=""),  # the path
                )
            )
        ),
        "status": draw(st.sampled_from([s.value for s in CompanyStatus])),
        "owned": draw(st.booleans()),
        "agreement_status": agreement,
        "agreement_date": ""
        if agreement == AgreementStatus.none
        else draw(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))).isoformat(),
        "notes": draw(text(controls=controls, max_pieces=30)),
        "tags": draw(tags(controls=controls)),
    }


def _company_key(form: dict[str, Any]) -> Any:
    # Two companies the register only takes with "save anyway" (the same org.nr or the same
    # normalised name) meet the import's duplicate policy instead: test_engine.py has those.
    # Names without a single letter or digit have no normalised name at all: each is its own.
    return form["org_number"].replace("-", "") or company_name_key(form["name"]) or form["name"]


@st.composite
def contact_form(draw: st.DrawFn, *, controls: bool, companies_count: int) -> dict[str, Any]:
    return {
        "company": draw(st.integers(0, companies_count - 1)),
        "name": draw(line(controls=controls).filter(lambda value: value.split())),
        "title": draw(line(controls=controls)),
        "phone": draw(optional(PHONE)),
        "email": draw(optional(email(controls=controls))),
        "is_supervisor": draw(st.booleans()),
        "is_primary": draw(st.booleans()),
        "notes": draw(text(controls=controls, max_pieces=30)),
    }


@st.composite
def register(draw: st.DrawFn, *, controls: bool) -> tuple[list[dict], list[dict]]:
    companies_ = draw(
        st.lists(
            company_form(controls=controls),
            min_size=1,
            max_size=4,
            unique_by=(_company_key, lambda form: company_name_key(form["name"]) or form["name"]),
        )
    )
    # A contact at the same company by the same name, or anywhere with the same e-mail, is
    # a duplicate to the import (its duplicate policy, tested elsewhere).
    people = draw(
        st.lists(
            contact_form(controls=controls, companies_count=len(companies_)),
            max_size=4,
            unique_by=(
                lambda form: (form["company"], fold(form["name"])),
                lambda form: form["email"].strip().casefold() or id(form),
            ),
        )
    )
    return companies_, people


# --- The two sides ------------------------------------------------------------------------


@contextmanager
def throwaway(engine: Engine) -> Iterator[Session]:
    """A session on the empty migrated database whose work is rolled back at the end (the
    services' and the import's commits only release savepoints, as in tests/conftest.py)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def stored(session: Session) -> tuple[list[dict], list[dict]]:
    """The register's companies and contacts, every field a user can see or export."""
    owners = {user.id: user.full_name for user in session.exec(select(User)).all()}
    company_rows = []
    names = {}
    for company in session.exec(select(Company)).all():
        names[company.id] = company.name
        company_rows.append(
            {
                **{name: getattr(company, name) for name in companies.TRACKED_FIELDS},
                "owner": owners.get(company.owner_id),
                "tags": sorted(companies.tag_names(company.id, session=session), key=fold),  # type: ignore[arg-type]
                "archived": company.archived_at is not None,
            }
        )
    contact_rows = [
        {
            "company": names[contact.company_id],
            **{name: getattr(contact, name) for name in contacts.TRACKED_FIELDS},
        }
        for contact in session.exec(select(Contact)).all()
    ]
    return sorted(company_rows, key=repr), sorted(contact_rows, key=repr)


def create(session: Session, clock: SettableClock, register_: tuple[list, list]) -> User:
    forms, people = register_
    user = make_user(session, clock, role="broker", full_name=OWNER)
    created = []
    for values in forms:
        fields = {k: v for k, v in values.items() if k != "owned"}
        form = companies.CompanyForm(
            **fields, owner_id=str(user.id) if values["owned"] else "", confirm_duplicate=True
        )
        created.append(companies.create(form, user=user, session=session, clock=clock))
    for values in people:
        fields = {k: v for k, v in values.items() if k != "company"}
        company = created[values["company"]]
        contacts.create(
            company, contacts.ContactForm(**fields), user=user, session=session, clock=clock
        )
    session.commit()
    return user


def export(session: Session, clock: SettableClock, user: User, file_format: str, **kw) -> tuple:
    company_table = exports.company_table(
        companies.CompanyFilters(), user=user, session=session, clock=clock
    )
    contact_table = exports.contact_table(contacts.ContactFilters(), session=session)
    return (
        b"".join(files.render(company_table, ExportFormat(file_format), **kw)),
        b"".join(files.render(contact_table, ExportFormat(file_format), **kw)),
    )


def round_trip(
    engine: Engine, file_format: str, delimiter: str | None, register_: tuple[list, list]
) -> tuple[tuple[list, list], tuple[list, list]]:
    """(what the first register holds, what the second holds after importing its exports)."""
    clock = SettableClock(START)
    options = {"delimiter": delimiter} if delimiter else {}

    with throwaway(engine) as session:
        user = create(session, clock, register_)
        expected = stored(session)
        company_file, contact_file = export(session, clock, user, file_format, **options)

    with throwaway(engine) as session:
        assert stored(session) == ([], []), "the importing register starts empty"
        importer = make_user(session, clock, role="broker", full_name=OWNER)
        for data, name, kind, count in (
            (company_file, "foretag", "companies", len(expected[0])),
            (contact_file, "kontakter", "contacts", len(expected[1])),
        ):
            job = imported(session, clock, importer, data, f"{name}.{file_format}", kind)
            assert job.status == ImportStatus.done, job.error
            assert (job.created_count, job.failed_count, job.skipped_count) == (count, 0, 0)
        return expected, stored(session)


FORMATS = [
    pytest.param("csv", ";", id="csv-semicolon"),
    pytest.param("csv", ",", id="csv-comma"),
    pytest.param("xlsx", None, id="xlsx"),
]


@pytest.mark.parametrize(("file_format", "delimiter"), FORMATS)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run and in CI
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_what_matcha_exports_it_imports_back_the_same(
    engine: Engine, file_format: str, delimiter: str | None, data: st.DataObject
) -> None:
    register_ = data.draw(register(controls=file_format == "csv"), label="register")
    expected, imported_back = round_trip(engine, file_format, delimiter, register_)
    assert imported_back == expected


# --- What the property found --------------------------------------------------------------


def _company(name: str, **fields: str) -> dict[str, Any]:
    blank = {field: "" for field in companies.CompanyForm.model_fields}
    del blank["owner_id"], blank["version"], blank["confirm_duplicate"]
    return {
        **blank,
        "status": "prospect",
        "kind": "employer",
        "agreement_status": "none",
        "owned": False,
        "name": name,
        **fields,
    }


def _contact(company: int, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "company": company,
        "name": name,
        "title": "",
        "phone": "",
        "email": "",
        "is_supervisor": False,
        "is_primary": False,
        "notes": "",
        **fields,
    }


@pytest.mark.parametrize(("file_format", "delimiter"), FORMATS)
def test_companies_named_without_letters_are_each_their_own_and_keep_their_contacts(
    engine: Engine, file_format: str, delimiter: str | None
) -> None:
    # "+++" and "AB" have no normalised name: the import took every such row for the first
    # one's duplicate, and found none of them for a contact ("finns inte i registret").
    register_ = (
        [_company("+++"), _company('"'), _company("AB")],
        [_contact(0, "Eva Ek"), _contact(1, "Bo Ek"), _contact(2, "Li Ek")],
    )
    expected, imported_back = round_trip(engine, file_format, delimiter, register_)
    assert imported_back == expected
    assert sorted(company["name"] for company in expected[0]) == ['"', "+++", "AB"]


@pytest.mark.parametrize(("file_format", "delimiter"), FORMATS)
def test_a_note_with_an_old_mac_line_break_comes_back(
    engine: Engine, file_format: str, delimiter: str | None
) -> None:
    # A lone CR (a Mac sheet's line break) came back from XLSX as LF: XML reads it so.
    # The services now store every line break as LF.
    register_ = ([_company("Ek AB", notes="Ring\rtisdag\r\nföre lunch")], [])
    expected, imported_back = round_trip(engine, file_format, delimiter, register_)
    assert expected[0][0]["notes"] == "Ring\ntisdag\nföre lunch"
    assert imported_back == expected
