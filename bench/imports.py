"""The import benchmark: the 50k companies of the seeded database, exported as Matcha's own
CSV, imported into an empty register the way the wizard does it (analyse, queue, run the
job). Also runnable alone for profiling: `python -m bench.imports [--rows N] [--profile]`.
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

from sqlalchemy import Engine, delete, insert
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
from app.imports import jobs, undo
from app.imports.models import ImportKind


@dataclass
class ImportTiming:
    rows: int
    analyse: float
    run: float
    created: int
    failed: int
    # How long a colleague's save waited for the write lock while the job ran (seconds).
    waits: list[float] = field(default_factory=list)
    undo: float = 0.0

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


def import_companies(
    data: bytes, *, profile: Path | None = None, colleague: bool = True
) -> ImportTiming:
    """Imports the file into a new, empty database (a temporary directory) as an admin."""
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
                rows=job.rows_total,
                analyse=analysed - started,
                run=finished - analysed,
                created=job.created_count,
                failed=job.failed_count,
                waits=saver.waits,
                undo=undone,
            )
        engine.dispose()
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
        f"company import          {timing.rows} rows in {timing.total:.1f} s "
        f"(read and propose {timing.analyse:.1f} s, validate and store {timing.run:.1f} s): "
        f"{timing.created} created, {timing.failed} failed; undone in {timing.undo:.1f} s"
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
    args = parser.parse_args(argv)
    data = companies_csv(cached_database(args.companies), rows=args.rows)
    timing = import_companies(data, profile=args.profile, colleague=not args.alone)
    report(timing)
    if args.profile:
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
