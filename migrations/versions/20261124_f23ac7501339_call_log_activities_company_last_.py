"""call log: activities, company last contact and next follow-up

Revision ID: f23ac7501339
Revises: 8725cf8eb638
Create Date: 2026-11-24 13:20:02.881584+00:00

Adding columns and indexes to company needs no table copy on SQLite (plain ALTER TABLE ADD
COLUMN), so the company search triggers are left as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = "f23ac7501339"
down_revision: str | None = "8725cf8eb638"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("had_contact", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "call",
                "meeting",
                "visit",
                "email",
                "note",
                name="activity_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_activity_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_activity_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_activity_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_company_occurred", ["company_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            "ix_activity_user_follow_up",
            ["user_id", "follow_up_done_at", "follow_up_on"],
            unique=False,
        )
        batch_op.create_index(
            "ix_activity_company_follow_up",
            ["company_id", "follow_up_done_at", "follow_up_on"],
            unique=False,
        )

    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_follow_up_on", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_company_last_contact_at"), ["last_contact_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_company_next_follow_up_on"), ["next_follow_up_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_next_follow_up_on"))
        batch_op.drop_index(batch_op.f("ix_company_last_contact_at"))
    # Plain DROP COLUMN (SQLite 3.35+): a batch table copy would drop the search triggers.
    op.execute("ALTER TABLE company DROP COLUMN next_follow_up_on")
    op.execute("ALTER TABLE company DROP COLUMN last_contact_at")

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_company_follow_up")
        batch_op.drop_index("ix_activity_user_follow_up")
        batch_op.drop_index(batch_op.f("ix_activity_contact_id"))
        batch_op.drop_index("ix_activity_company_occurred")

    op.drop_table("activity")
