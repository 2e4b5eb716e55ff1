"""Rapporter: indexes for counting a period's activities, companies and assignments

Revision ID: 55d3f3bc2e3c
Revises: a7c2e91d4f60
Create Date: 2026-11-24 17:37:01.648304+00:00

The reports count a period's activities per author, kind and ISO week. With the author and
kind first, each (week, author, kind) is one range of this index, counted without reading
the table or sorting the year's activities (app/reports/service.py); company_id is in it
for the municipality filter. The companies contacted, new and with a letter of intent
signed, and the assignments opened and closed, are counted over ranges of their own
indexes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "55d3f3bc2e3c"
down_revision: str | None = "a7c2e91d4f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain CREATE INDEX, not SQLite's batch mode: it never copies a table (company has search
# triggers a copy would lose).
INDEXES = (
    (
        "ix_activity_user_kind_occurred",
        "activity",
        ["user_id", "kind", "occurred_at", "company_id"],
    ),
    ("ix_company_last_activity_at", "company", ["last_activity_at"]),
    ("ix_company_created_at", "company", ["created_at", "merged_into_id"]),
    ("ix_company_agreement", "company", ["agreement_status", "agreement_date"]),
    (
        "ix_assignment_created_report",
        "assignment",
        ["created_at", "employment_type", "status", "positions", "owner_id", "company_id"],
    ),
    (
        "ix_assignment_closed_report",
        "assignment",
        ["closed_at", "employment_type", "status", "filled_count", "owner_id", "company_id"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
