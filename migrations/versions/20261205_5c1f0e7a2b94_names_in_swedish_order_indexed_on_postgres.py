"""company names in Swedish order indexed on PostgreSQL

Revision ID: 5c1f0e7a2b94
Revises: 418876357639
Create Date: 2026-12-05 00:55:00+00:00

The company list sorts by name in the Swedish collation on PostgreSQL (app/db_swedish.py,
by_name), and no index had that collation: every page read all companies and sorted them
(43 ms at 50,000). An index on the name in that collation, with the id that breaks ties,
is read in order and stops after a page (0.1 ms).
SQLite sorts by the stored sort key, which its own index already serves: nothing to do
there. Not modelled (a collation per column is PostgreSQL's): migrations/env.py leaves them
out of `alembic check`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1f0e7a2b94"
down_revision: str | None = "418876357639"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_company_name_swedish ON company (name COLLATE swedish, id)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_company_name_swedish")
