"""assignment board: index by status, newest first

Revision ID: 9dc0e12da7fe
Revises: d4e8b2a61c35
Create Date: 2026-12-04 14:02:42.119871+00:00

The board's columns show an open status's assignments newest first, ten at a time. With
(status, created_at) a column reads its first ten in order; without it the database
joins every assignment of the status to its company before sorting them. A plain CREATE
INDEX on both engines.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9dc0e12da7fe"
down_revision: str | None = "d4e8b2a61c35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_status_created_at", "assignment", ["status", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assignment_status_created_at", table_name="assignment")
