"""companies by last contact, never-contacted first, indexed on PostgreSQL

Revision ID: 3a7c9e1f5b20
Revises: 8d2b6f4c1e37
Create Date: 2026-12-05 02:45:00+00:00

Min dag's "not contacted for 90 days" and the company list sorted by last contact order by
`last_contact_at ASC NULLS FIRST` (never contacted first). SQLite sorts NULL first in an
ascending index, so its indexes on (owner_id, last_contact_at) and (last_contact_at) serve
that order; PostgreSQL's indexes keep NULL last, so it read all of a broker's quiet
companies and sorted them (14 ms for 2,400 on the 50k benchmark data). Indexes with NULL
first serve the order both ways (read backwards: the newest contact first, NULL last).
Not modelled: migrations/env.py leaves them out of `alembic check`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3a7c9e1f5b20"
down_revision: str | None = "8d2b6f4c1e37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_company_owner_quiet ON company (owner_id, last_contact_at NULLS FIRST, id)"
    )
    op.execute("CREATE INDEX ix_company_quiet ON company (last_contact_at NULLS FIRST, id)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_company_quiet")
    op.execute("DROP INDEX ix_company_owner_quiet")
