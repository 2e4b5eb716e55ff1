"""Alembic environment: the app's metadata and settings; batch mode on SQLite."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection

from app.config import get_settings
from app.db import UTCDateTime, make_engine
from app.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Database objects the models do not describe, created by hand in migrations: the search
# indexes (SQLite FTS5 trigram tables with their shadow tables, PostgreSQL pg_trgm GIN
# indexes). `alembic check` must not report them as drift, so they are named here.
UNMODELLED_PREFIXES: dict[str, tuple[str, ...]] = {
    "table": ("company_search", "contact_search", "assignment_search"),
    "index": (
        "ix_company_search_trgm",
        "ix_contact_search_trgm",
        "ix_assignment_search_trgm",
        "ix_company_name_swedish",
        "ix_contact_name_swedish",
        "ix_company_owner_quiet",
        "ix_company_quiet",
    ),
}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name or "").startswith(UNMODELLED_PREFIXES.get(type_, ()))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import app code that may change later: spell UTCDateTime out.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        render_item=render_item,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Tests hand over a connection; everyone else migrates the configured database.
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.attributes.get("database_url") or get_settings().resolved_database_url()
    engine = make_engine(url)
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them against a database.")
run_migrations_online()
