"""company.merged_into_id indexed: deleting companies without a scan for each

Revision ID: d4e8b2a61c35
Revises: 3c9e5a1f7b20
Create Date: 2026-11-24 18:20:00.000000+00:00

company.merged_into_id refers to company.id (ON DELETE SET NULL): deleting a company
makes the database find the companies merged into it, a scan of the whole table without
an index. Undoing an import of 50,000 companies did 50,000 such scans. A plain CREATE
INDEX, not SQLite's batch mode: company has search triggers a table copy would lose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e8b2a61c35"
down_revision: str | None = "3c9e5a1f7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Partial: only the merged companies, so the planner never takes it to find the
    # others (merged_into_id IS NULL is nearly every company).
    op.create_index(
        "ix_company_merged_into_id",
        "company",
        ["merged_into_id"],
        unique=False,
        sqlite_where=sa.text("merged_into_id IS NOT NULL"),
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_company_merged_into_id", table_name="company")
