"""The `matcha` command: serve, migrate, create-user, seed, import, export, backup."""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import col

from app.clock import SystemClock, local_now
from app.config import PROJECT_ROOT, get_settings


def _alembic_config(database_url: str | None = None):
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str | None = None) -> None:
    from alembic import command

    command.upgrade(_alembic_config(database_url), "head")


def _migrate(_args: argparse.Namespace) -> int:
    migrate()
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        # The C parser and event loop, named so that a missing one fails at start instead of
        # falling back: uvicorn's pure-Python HTTP (h11) stalls every answer on a kept-alive
        # connection by ~40 ms (delayed ACK), so each page a browser loads pays it.
        http="httptools",
        loop="uvloop",
        # A browser keeps a connection open between pages; uvicorn's 5 s closed it under a
        # user who paused, and a request sent as it closed failed. 75 s, as nginx.
        timeout_keep_alive=75,
        # We read X-Forwarded-For ourselves, and only from MATCHA_TRUSTED_PROXIES (app/net.py).
        proxy_headers=False,
        log_config=None,
        workers=args.workers or settings.workers,
    )
    return 0


def create_user(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.auth import service as users
    from app.auth.models import UserCreate
    from app.db import make_engine
    from app.errors import DomainError

    if args.password_stdin:
        password = confirmation = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Lösenord: ")
        confirmation = getpass.getpass("Upprepa lösenordet: ")
    engine = make_engine(get_settings().resolved_database_url())
    with Session(engine) as session:
        try:
            form = UserCreate(
                username=args.username,
                full_name=args.full_name,
                email=args.email or "",
                role=args.role,
                password=password,
                password_confirm=confirmation,
            )
            user = users.create(form, session=session, clock=SystemClock())
        except DomainError as error:
            print(f"Fel: {error.message}", file=sys.stderr)
            return 1
        session.commit()
        print(f"Användaren {user.username} ({user.role.value}) är skapad.")
    engine.dispose()
    return 0


def seed(args: argparse.Namespace) -> int:
    import time

    from app import seed as demo
    from app.db import make_engine

    engine = make_engine(get_settings().resolved_database_url())
    started = time.perf_counter()
    try:
        report = demo.seed(
            engine,
            companies=args.companies,
            seed=args.seed,
            force=args.force,
            clock=SystemClock(),
            progress=lambda message: print(message, file=sys.stderr),
        )
    except demo.SeedRefused as refused:
        print(
            f"Databasen har redan {refused.args[0]} företag. Använd --force för att lägga "
            "till demodata ändå.",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    print(
        f"Klart på {seconds:.0f} s: {report.companies} företag, {report.contacts} "
        f"kontaktpersoner, {report.activities} kontakthändelser, "
        f"{report.assignments} rekryteringsuppdrag, {report.events} rekryteringsträffar, "
        f"{report.tags} taggar, {report.partners} samverkansparter, {report.tracks} jobbspår."
    )
    if report.created_users:
        print(
            "Nya jobbmäklare (ansvariga för demoföretagen): "
            + ", ".join(report.created_users)
            + ".\nDeras lösenord är slumpade och okända: en administratör måste återställa "
            "dem (Admin → Användare) innan de kan logga in."
        )
    if not report.has_admin:
        print(
            "Det finns ingen administratör. Skapa en med\n"
            "  matcha create-user --username admin --full-name Admin --role admin"
        )
    return 0


def import_file(args: argparse.Namespace) -> int:
    """`matcha import FILE --kind companies`: the web import's engine with the proposed
    mapping, a progress line, and the summary."""
    from sqlmodel import Session, select

    from app.auth.models import Role, User
    from app.db import make_engine
    from app.errors import DomainError
    from app.i18n import gettext
    from app.imports import engine as imports
    from app.imports import jobs
    from app.imports.bounds import Limits
    from app.imports.models import ImportKind
    from app.imports.options import ImportOptions
    from app.imports.rows import Action

    path = Path(args.file)
    if not path.is_file():
        print(f"Filen {path} finns inte.", file=sys.stderr)
        return 1
    settings = get_settings()
    if path.stat().st_size > settings.import_max_mb * 1024 * 1024:
        print(f"Filen är för stor: högst {settings.import_max_mb} MB.", file=sys.stderr)
        return 1
    db = make_engine(settings.resolved_database_url())
    clock = SystemClock()
    try:
        with Session(db) as session:
            users = select(User).where(User.is_active, User.role != Role.viewer)
            if args.user:
                users = users.where(User.username == args.user.lower())
            user = session.exec(users.order_by(col(User.role), col(User.id))).first()
            if user is None:
                print(
                    "Det finns ingen aktiv användare att importera som (--user).", file=sys.stderr
                )
                return 1
            try:
                analysis = imports.analyse(
                    path.read_bytes(),
                    path.name,
                    kind=ImportKind(args.kind),
                    user=user,
                    session=session,
                    clock=clock,
                    sheet=args.sheet,
                    limits=Limits.of(settings),
                )
                options = analysis.options.model_copy(
                    update={
                        "duplicate_policy": args.duplicates,
                        "company_policy": args.companies,
                    }
                )
                job = imports.set_options(
                    analysis.job, ImportOptions.model_validate(options), session=session
                )
                if args.dry_run:
                    plan = imports.preview(job, user=user, session=session, clock=clock, limit=None)
                    for row in plan.rows:
                        if row.problems:
                            reasons = "; ".join(p.text() for p in row.problems)
                            print(f"rad {row.number}: {reasons}")
                    session.rollback()
                    counts = (
                        plan.count(Action.create),
                        plan.count(Action.update),
                        plan.count(Action.skip),
                        plan.count(Action.fail),
                    )
                    print(_summary(plan.total, *counts) + " (provkörning, inget sparat)")
                    return 0
                imports.queue(job, session=session)
                session.commit()

                def progress(running) -> None:
                    print(
                        f"\r{running.rows_done} av {running.rows_total} rader",
                        end="",
                        file=sys.stderr,
                        flush=True,
                    )

                job = jobs.run(job.id, session=session, clock=clock, on_batch=progress)
                print(file=sys.stderr)
            except DomainError as error:
                print(f"Fel: {gettext(error.message, **error.variables)}", file=sys.stderr)
                return 1
            if job.error:
                print(f"Fel: {job.error}", file=sys.stderr)
                return 1
            print(
                _summary(
                    job.rows_total,
                    job.created_count,
                    job.updated_count,
                    job.skipped_count,
                    job.failed_count,
                )
                + f" (import {job.id})"
            )
            return 0
    finally:
        db.dispose()


def _summary(read: int, created: int, updated: int, skipped: int, failed: int) -> str:
    return (
        f"{read} rader lästa: {created} skapade, {updated} uppdaterade, "
        f"{skipped} hoppade över, {failed} misslyckades"
    )


def export(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.auth import security_log
    from app.db import make_engine
    from app.exports.table import ExportFormat, filename
    from app.exports.whole_lists import whole_list, write_file

    clock = SystemClock()
    file_format = ExportFormat(args.format)
    engine = make_engine(get_settings().resolved_database_url())
    try:
        with Session(engine) as session:
            table = whole_list(args.kind, session=session, clock=clock)
            target = Path(args.output or filename(table, file_format, clock=clock))
            try:
                rows = write_file(table, file_format, target, delimiter=args.delimiter)
            except OSError as error:
                print(f"Kunde inte skriva {target}: {error.strerror}", file=sys.stderr)
                return 1
            # A whole list of personal data, by whoever runs the command on the server.
            security_log.record(
                session,
                security_log.Kind.export,
                clock=clock,
                username="matcha export",
                detail={"list": args.kind, "format": file_format.value, "filters": {}},
                rows=rows,
            )
            session.commit()
    finally:
        engine.dispose()
    print(f"{rows} rader skrivna till {target}")
    return 0


def backup(args: argparse.Namespace) -> int:
    url = make_url(get_settings().resolved_database_url())
    if url.get_backend_name() != "sqlite":
        print(
            "Matcha kör på PostgreSQL: ta säkerhetskopior med pg_dump, t.ex.\n"
            '  pg_dump --format=custom --file=matcha.dump "$DATABASE_URL"',
            file=sys.stderr,
        )
        return 2
    source_path = Path(url.database or "")
    if not source_path.exists():
        print(f"Databasen {source_path} finns inte.", file=sys.stderr)
        return 1
    stamp = f"{local_now(SystemClock()):%Y%m%d-%H%M%S}"
    target = (
        Path(args.target) if args.target else source_path.parent / "backups" / f"matcha-{stamp}.db"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_sqlite(source_path, target)
    print(f"Säkerhetskopia skriven till {target}")
    return 0


def backup_sqlite(source_path: Path, target: Path) -> None:
    """A consistent copy while the app keeps writing: SQLite's online backup API."""
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="matcha", description="Matcha, CRM för jobbmäklare.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="starta webbservern")
    serve_parser.add_argument("--host", help="adress (standard: MATCHA_HOST)")
    serve_parser.add_argument("--port", type=int, help="port (standard: MATCHA_PORT)")
    serve_parser.add_argument("--workers", type=int, help="antal processer (MATCHA_WORKERS)")
    serve_parser.set_defaults(handler=serve)

    migrate_parser = commands.add_parser("migrate", help="uppdatera databasens schema")
    migrate_parser.set_defaults(handler=_migrate)

    user_parser = commands.add_parser("create-user", help="skapa en användare")
    user_parser.add_argument("--username", required=True)
    user_parser.add_argument("--full-name", required=True)
    user_parser.add_argument("--email")
    user_parser.add_argument("--role", choices=["admin", "broker", "viewer"], default="broker")
    user_parser.add_argument(
        "--password-stdin", action="store_true", help="läs lösenordet från standard in"
    )
    user_parser.set_defaults(handler=create_user)

    seed_parser = commands.add_parser("seed", help="fyll databasen med demodata")
    seed_parser.add_argument("--companies", type=int, default=1000, help="antal företag")
    seed_parser.add_argument("--seed", type=int, help="slumpfrö, för samma data varje gång")
    seed_parser.add_argument(
        "--force", action="store_true", help="lägg till även om det redan finns företag"
    )
    seed_parser.set_defaults(handler=seed)

    import_parser = commands.add_parser("import", help="importera ett kalkylark (CSV, XLSX)")
    import_parser.add_argument("file", help="filen att importera")
    import_parser.add_argument(
        "--kind",
        required=True,
        choices=["companies", "contacts", "activities", "assignments", "agreements"],
    )
    import_parser.add_argument("--dry-run", action="store_true", help="visa bara vad som händer")
    import_parser.add_argument("--sheet", help="arbetsbladet i en XLSX-fil")
    import_parser.add_argument("--user", help="importera som den här användaren")
    import_parser.add_argument(
        "--duplicates",
        choices=["skip", "update", "create"],
        default="skip",
        help="det som redan finns: hoppa över, uppdatera eller skapa ändå",
    )
    import_parser.add_argument(
        "--companies",
        choices=["create", "reject"],
        default="reject",
        help="okända företag: skapa dem eller avvisa raden",
    )
    import_parser.set_defaults(handler=import_file)

    export_parser = commands.add_parser("export", help="exportera en lista som CSV eller XLSX")
    export_parser.add_argument(
        "--kind",
        required=True,
        choices=["companies", "contacts", "assignments", "agreements", "events"],
    )
    export_parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export_parser.add_argument(
        "--output", help="fil att skriva (standard: samma namn som webbens export)"
    )
    export_parser.add_argument(
        "--delimiter", choices=[";", ","], default=";", help="skiljetecken i CSV (standard: ;)"
    )
    export_parser.set_defaults(handler=export)

    backup_parser = commands.add_parser("backup", help="säkerhetskopiera SQLite-databasen")
    backup_parser.add_argument("target", nargs="?", help="fil att skriva (standard: data/backups/)")
    backup_parser.set_defaults(handler=backup)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
