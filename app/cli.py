"""The `matcha` command: serve, migrate, create-user, seed, backup."""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from app.clock import SystemClock, local_now
from app.config import PROJECT_ROOT, get_settings


def _alembic_config(database_url: str | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str | None = None) -> None:
    from alembic import command

    command.upgrade(_alembic_config(database_url), "head")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        # We read X-Forwarded-For ourselves, and only from MATCHA_TRUSTED_PROXIES (app/net.py).
        proxy_headers=False,
        log_config=None,
        workers=args.workers,
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
        f"{report.tags} taggar."
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
    serve_parser.add_argument("--workers", type=int, default=1, help="antal processer")
    serve_parser.set_defaults(handler=serve)

    migrate_parser = commands.add_parser("migrate", help="uppdatera databasens schema")
    migrate_parser.set_defaults(handler=lambda _args: migrate() or 0)

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

    backup_parser = commands.add_parser("backup", help="säkerhetskopiera SQLite-databasen")
    backup_parser.add_argument("target", nargs="?", help="fil att skriva (standard: data/backups/)")
    backup_parser.set_defaults(handler=backup)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
