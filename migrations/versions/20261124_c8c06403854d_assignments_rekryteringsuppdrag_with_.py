"""assignments: rekryteringsuppdrag with pipeline status

Revision ID: c8c06403854d
Revises: 1b79cbff0d01
Create Date: 2026-11-24 14:42:34.519826+00:00

A new table only. The check constraints repeat the service's rules that must hold
whatever writes the row (at least one position; 0 <= filled <= positions).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = "c8c06403854d"
down_revision: str | None = "1b79cbff0d01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("occupation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ssyk_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column(
            "employment_type",
            sa.Enum(
                "ordinary",
                "fixed_term",
                "subsidised",
                "internship",
                "labour_market",
                "job_track",
                "other",
                name="assignment_employment_type",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("workplace", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "source_kind",
            sa.Enum(
                "broker",
                "company",
                "event",
                "partner",
                "other",
                name="assignment_source_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("source_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "searching",
                "presented",
                "filled",
                "partly_filled",
                "closed_unfilled",
                "cancelled",
                name="assignment_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("filled_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "filled_count >= 0 AND filled_count <= positions",
            name=op.f("ck_assignment_filled_within_positions"),
        ),
        sa.CheckConstraint("positions >= 1", name=op.f("ck_assignment_positions_at_least_one")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_assignment_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_assignment_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_assignment_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_assignment_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_user_id"],
            ["user_account.id"],
            name=op.f("fk_assignment_source_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_company_status", ["company_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            "ix_assignment_owner_status_deadline", ["owner_id", "status", "deadline"], unique=False
        )
        batch_op.create_index("ix_assignment_status_deadline", ["status", "deadline"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_status_deadline")
        batch_op.drop_index("ix_assignment_owner_status_deadline")
        batch_op.drop_index(batch_op.f("ix_assignment_contact_id"))
        batch_op.drop_index("ix_assignment_company_status")

    op.drop_table("assignment")
