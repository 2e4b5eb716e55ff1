"""assignment search index

Revision ID: 418876357639
Revises: 9dc0e12da7fe
Create Date: 2026-12-04 21:20:00+00:00

The search in the page header finds assignments by occupation, SSYK code and workplace
(assignment.search_text). Without an index every search read every assignment; this is the
same index the company and contact searches have (the register migration): on SQLite an
FTS5 trigram table kept in step by triggers and filled from the existing rows, on
PostgreSQL a pg_trgm GIN index. Not modelled: migrations/env.py leaves them out of
`alembic check`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "418876357639"
down_revision: str | None = "9dc0e12da7fe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_assignment_search_trgm ON assignment "
            "USING gin (search_text gin_trgm_ops)"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE assignment_search USING fts5("
        "search_text, content='assignment', content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO assignment_search(assignment_search) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER assignment_search_insert AFTER INSERT ON assignment BEGIN "
        "INSERT INTO assignment_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER assignment_search_delete AFTER DELETE ON assignment BEGIN "
        "INSERT INTO assignment_search(assignment_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER assignment_search_update AFTER UPDATE OF search_text ON assignment "
        "BEGIN INSERT INTO assignment_search(assignment_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO assignment_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assignment_search_trgm")
        return
    for suffix in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS assignment_search_{suffix}")
    op.execute("DROP TABLE IF EXISTS assignment_search")
