"""The import benchmark: the 50k companies of the seeded database, exported as Matcha's own
CSV, imported into an empty register the way the wizard does it (analyse, queue, run the
job); and a sheet as units keep it (cp1252, a contact person with title, e-mail and phone
on every company's row). Each beside the same file read and its rows inserted into the same
tables (indexes and search triggers included) by a bare `executemany` in one transaction,
timed in the same run. Also runnable alone: `python -m bench.imports [--rows N] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import pstats
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, insert, text
from sqlmodel import Session, select

from app.auth.models import Role, User
from app.cli import migrate
from app.clock import SystemClock
from app.companies.models import Tag
from app.companies.service import CompanyFilters
from app.db import make_engine
from app.exports.files import render
from app.exports.service import company_table
from app.exports.table import ExportFormat
from app.imports import engine as imports
from app.imports import jobs, mapping, undo
from app.imports.models import ImportKind
from app.imports.reading import decode

# A unit's own sheet: a company per row with one contact person, as brokers keep them.
CONTACT_SHEET_HEADERS = (
    "Företag",
    "Org.nr",
    "Ort",
    "Bransch",
    "Kontaktperson",
    "Titel",
    "Kontakt e-post",
    "Kontakt telefon",
    "Kommentar",
)


@dataclass
class ImportTiming:
    shape: str
    rows: int
    analyse: float
    run: float
    created: int
    failed: int
    # How long a colleague's save waited for the write lock while the job ran (seconds).
    waits: list[float] = field(default_factory=list)
    undo: float = 0.0
    # The same file read and inserted by a bare executemany (bare_insert()), same run.
    bare: float | None = None

    @property
    def total(self) -> float:
        return self.analyse + self.run


def companies_csv(url: str, *, rows: int | None = None) -> bytes:
    """The register's companies as the company list's CSV export writes them: the first
    `rows`, or, with more asked than the register has, as many more made from them (named
    "... filial N", without an org.nr: new companies to the import)."""
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.exec(select(User).order_by(User.id)).first()
        assert user is not None
        table = company_table(CompanyFilters(), user=user, session=session, clock=SystemClock())
        data = b"".join(render(table, ExportFormat.csv))
    engine.dispose()
    if rows is None:
        return data
    lines = data.split(b"\r\n")[:-1]  # the export's rows end in CRLF; a cell's own breaks are LF
    header, body = lines[0], lines[1 : rows + 1]
    names = next(csv.reader([header.decode("utf-8-sig")], delimiter=";"))
    name, number = names.index("Namn"), names.index("Organisationsnummer")
    for extra in range(rows - len(body)):
        cells = next(csv.reader([body[extra % len(body)].decode()], delimiter=";"))
        cells[name], cells[number] = f"{cells[name]} filial {extra + 1}", ""
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="").writerow(cells)
        body.append(out.getvalue().encode())
    return b"\r\n".join([header, *body]) + b"\r\n"


def contact_sheet(url: str, *, rows: int) -> bytes:
    """The first `rows` companies of the register (not archived or merged) with their
    first contact person, as a unit's sheet keeps them: cp1252, semicolons, one row per
    company with the person's name, title, e-mail and phone."""
    engine = make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT c.name, c.org_number, c.city, c.industry, p.name, p.title, p.email,"
                " p.phone, c.notes FROM company c JOIN contact p ON p.id ="
                " (SELECT min(id) FROM contact WHERE company_id = c.id)"
                " WHERE c.archived_at IS NULL AND c.merged_into_id IS NULL"
                " ORDER BY c.id LIMIT :rows"
            ),
            {"rows": rows},
        ).all()
    engine.dispose()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CONTACT_SHEET_HEADERS)
    writer.writerows(["" if cell is None else cell for cell in row] for row in found)
    return out.getvalue().encode("cp1252", errors="replace")


# Company columns that hold text as typed, filled from the file by bare_insert().
_TEXT_COLUMNS = (
    "name",
    "org_number",
    "industry",
    "municipality",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
)
_PERSON = ("name", "title", "email", "phone")


def bare_insert(data: bytes) -> float:
    """Seconds to read the file (decode, split into cells) and insert its rows, with the
    contact person a row carries, into a fresh register's tables (their indexes and search
    triggers) by executemany in one transaction: the floor an import is measured against.
    The cells go in as typed; the search text the triggers index holds the fields the
    app's does (a company's name, org.nr with and without its dash, place; a person's
    name, title, e-mail, phone with and without spaces) in lower case, the sort and match
    keys are the name; nothing is validated, matched or recorded in history."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bare.db"
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        body = list(csv.reader(io.StringIO(decode(data)[0]), delimiter=";"))
        where = {f: i for i, f in enumerate(mapping.propose_columns("companies", body[0])) if f}
        columns = [c for c in _TEXT_COLUMNS if c in where]
        people = [c for c in _PERSON if f"contact_{c}" in where]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        companies, contacts = [], []
        for number, cells in enumerate(body[1:], start=1):
            name = cells[where["name"]]
            notes = cells[where["notes"]] if "notes" in where else ""
            typed = dict(zip(columns, (cells[where[c]] or None for c in columns), strict=True))
            org = typed.get("org_number")
            found_by = _joined(
                name,
                org,
                org and org.replace("-", ""),
                typed.get("city"),
                typed.get("municipality"),
            )
            companies.append(
                (number, *typed.values(), notes, found_by, name.lower(), name, now, now)
            )
            person = cells[where["contact_name"]] if people else ""
            if person:
                typed = {c: cells[where[f"contact_{c}"]] or None for c in people}
                phone = typed.get("phone")
                digits = phone and phone.replace(" ", "").replace("-", "")
                found_by = _joined(person, typed.get("title"), typed.get("email"), phone, digits)
                contacts.append((number, *typed.values(), found_by, person, now, now))
        listed, marks = ", ".join(columns), ", ".join("?" * len(columns))
        listed_people, person_marks = ", ".join(people), ", ".join("?" * len(people))
        with engine.begin() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.executemany(
                f"INSERT INTO company (id, {listed}, notes, search_text, name_key, sort_key,"  # noqa: S608 (our own names)
                " created_at, updated_at, status, agreement_status, version)"
                f" VALUES (?, {marks}, ?, ?, ?, ?, ?, ?, 'prospect', 'none', 1)",
                companies,
            )
            if contacts:
                raw.executemany(
                    f"INSERT INTO contact (company_id, {listed_people}, search_text, sort_key,"  # noqa: S608 (our own names)
                    " created_at, updated_at, is_supervisor, is_primary, notes, version)"
                    f" VALUES (?, {person_marks}, ?, ?, ?, ?, 0, 0, '', 1)",
                    contacts,
                )
        seconds = time.perf_counter() - started
        engine.dispose()
    return seconds


def _joined(*parts: str | None) -> str:
    """The parts that hold something, in lower case, as one text."""
    return " | ".join(part for part in parts if part).lower()


def import_companies(
    data: bytes,
    *,
    shape: str = "Matcha's CSV",
    profile: Path | None = None,
    colleague: bool = True,
    bare: bool = False,
) -> ImportTiming:
    """Imports the file into a new, empty database (a temporary directory) as an admin;
    with `bare`, bare_insert() of the same file is timed right after, in the same run."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/import.db"
        migrate(url)
        engine = make_engine(url)
        clock = SystemClock()
        with Session(engine) as session:
            user = User(
                username="import",
                full_name="Importerande Admin",
                password_hash="-",  # noqa: S106 (no one logs in)
                role=Role.admin,
                created_at=dt.datetime.now(dt.UTC),
                password_changed_at=dt.datetime.now(dt.UTC),
            )
            session.add(user)
            session.commit()
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            analysis = imports.analyse(
                data,
                "foretag.csv",
                kind=ImportKind.companies,
                user=user,
                session=session,
                clock=clock,
            )
            job = imports.queue(analysis.job, session=session)
            session.commit()
            analysed = time.perf_counter()
            saver = Colleague(engine)
            if colleague:
                saver.start()
            job = jobs.run(job.id, session=session, clock=clock)  # type: ignore[arg-type]
            finished = time.perf_counter()
            if colleague:
                saver.stop()
            undo_started = time.perf_counter()
            undo.undo(job, user=user, session=session, clock=clock)
            session.commit()
            undone = time.perf_counter() - undo_started
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)  # type: ignore[arg-type]
            assert job.error is None, job.error
            timing = ImportTiming(
                shape=shape,
                rows=job.rows_total,
                analyse=analysed - started,
                run=finished - analysed,
                created=job.created_count,
                failed=job.failed_count,
                waits=saver.waits,
                undo=undone,
            )
        engine.dispose()
    if bare:
        timing.bare = bare_insert(data)
    return timing


class Colleague(threading.Thread):
    """Saves something small every 100 ms while the import runs (a tag, added and removed
    in one transaction), timing each save: what a broker logging a call would feel."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.waits: list[float] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.1):
            started = time.perf_counter()
            with self.engine.begin() as connection:
                connection.execute(insert(Tag).values(name="kollega", name_key="kollega"))
                connection.execute(delete(Tag).where(Tag.name_key == "kollega"))  # type: ignore[arg-type]
            self.waits.append(time.perf_counter() - started)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def report(timing: ImportTiming) -> None:
    print(
        f"company import, {timing.shape}: {timing.rows} rows in {timing.total:.1f} s "
        f"(read and propose {timing.analyse:.1f} s, validate and store {timing.run:.1f} s): "
        f"{timing.created} created, {timing.failed} failed; undone in {timing.undo:.1f} s"
    )
    if timing.bare is not None:
        print(
            f"  the file read and inserted by a bare executemany: {timing.bare:.2f} s; "
            f"the import takes {timing.total / timing.bare:.1f}× that"
        )
    if timing.waits:
        waits = sorted(timing.waits)
        print(
            f"  a colleague's save meanwhile: {len(waits)} saves, median "
            f"{statistics.median(waits) * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import COMPANIES, cached_database

    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    parser.add_argument("--rows", type=int, default=None, help="import only the first N rows")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    parser.add_argument(
        "--alone", action="store_true", help="no colleague saving while the import runs"
    )
    parser.add_argument(
        "--contacts", action="store_true", help="the unit's sheet with a contact person per row"
    )
    args = parser.parse_args(argv)
    url = cached_database(args.companies)
    if args.contacts:
        data, shape = contact_sheet(url, rows=args.rows or 50_000), "a unit's sheet"
    else:
        data, shape = companies_csv(url, rows=args.rows), "Matcha's CSV"
    timing = import_companies(
        data, shape=shape, profile=args.profile, colleague=not args.alone, bare=True
    )
    report(timing)
    if args.profile:
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
