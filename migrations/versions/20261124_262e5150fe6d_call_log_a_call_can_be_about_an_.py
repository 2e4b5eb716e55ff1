"""call log: a call can be about an assignment

Revision ID: 262e5150fe6d
Revises: c8c06403854d
Create Date: 2026-11-24 15:06:57.218457+00:00

The foreign key makes SQLite copy the activity table (batch mode). The activity table has
no triggers, so the copy loses nothing; on a large register it takes a few seconds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "262e5150fe6d"
down_revision: str | None = "c8c06403854d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignment_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_activity_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_activity_assignment_id_assignment"),
            "assignment",
            ["assignment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_activity_assignment_id_assignment"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_activity_assignment_id"))
        batch_op.drop_column("assignment_id")
