"""Min dag: indexes by owner, company last activity

Revision ID: 1b79cbff0d01
Revises: f23ac7501339
Create Date: 2026-11-24 16:30:00+00:00

Min dag asks three things of a broker's companies: which have follow-ups due, which were not
contacted for long, which had recent activity. One (owner_id, ...) index for each lets it
skip the companies that do not qualify (docs/benchmarks.md); the first replaces the plain
owner_id index. The author joins the activity timeline index, so colleagues' activities
are found without reading the broker's own. last_activity_at is the latest activity of any
kind, written by the activity service like last_contact_at; existing companies get it here.
Adding a column and indexes needs no table copy on SQLite, so the company search triggers
are left as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1b79cbff0d01"
down_revision: str | None = "f23ac7501339"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_index("ix_company_owner_id")
        batch_op.create_index(
            "ix_company_owner_last_contact", ["owner_id", "last_contact_at"], unique=False
        )
        batch_op.create_index(
            "ix_company_owner_follow_up", ["owner_id", "next_follow_up_on"], unique=False
        )
        batch_op.create_index(
            "ix_company_owner_last_activity", ["owner_id", "last_activity_at"], unique=False
        )
    op.execute(
        "UPDATE company SET last_activity_at = "
        "(SELECT max(activity.occurred_at) FROM activity WHERE activity.company_id = company.id)"
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_occurred", ["occurred_at"], unique=False)
        batch_op.drop_index("ix_activity_company_occurred")
        batch_op.create_index(
            "ix_activity_company_occurred", ["company_id", "occurred_at", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_company_occurred")
        batch_op.create_index(
            "ix_activity_company_occurred", ["company_id", "occurred_at"], unique=False
        )
        batch_op.drop_index("ix_activity_occurred")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index("ix_company_owner_last_activity")
        batch_op.drop_index("ix_company_owner_follow_up")
        batch_op.drop_index("ix_company_owner_last_contact")
        batch_op.create_index("ix_company_owner_id", ["owner_id"], unique=False)
    # Plain DROP COLUMN (SQLite 3.35+): a batch table copy would drop the search triggers.
    op.execute("ALTER TABLE company DROP COLUMN last_activity_at")
