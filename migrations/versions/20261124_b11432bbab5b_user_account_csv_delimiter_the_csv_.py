"""user_account.csv_delimiter: the CSV exports' delimiter per user

Revision ID: b11432bbab5b
Revises: fb99473c6b7d
Create Date: 2026-11-24 16:06:22.394879+00:00

`;` (Swedish Excel, what every user had until now) or `,` (Excel in other locales).
Existing users get `;` from the server default; adding a column needs no table copy on
SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b11432bbab5b"
down_revision: str | None = "fb99473c6b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("csv_delimiter", sa.String(length=1), server_default=";", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("csv_delimiter")
