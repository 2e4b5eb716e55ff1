"""recruitment events with companies, assignments, checklist and feed tokens

Revision ID: 9f75a4c0166e
Revises: 262e5150fe6d
Create Date: 2026-11-24 15:15:49.280049+00:00

New tables only, so no table is copied on SQLite. The check constraints repeat the rules
that must hold whatever writes the row (an event ends after it starts; counts are never
negative). The default checklist (checklist_template_item) is seeded here with the phases
of a local job track; administrators edit it under Admin → Checklista. The calendar feed
tokens are for the personal calendar feed built on these tables later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = "9f75a4c0166e"
down_revision: str | None = "262e5150fe6d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_template_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "planning",
                "recruitment",
                "execution",
                "closing",
                name="event_phase",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("days_from_start", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template_item")),
    )
    op.create_table(
        "calendar_feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_feed_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_token_hash")),
    )
    with op.batch_alter_table("calendar_feed_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feed_token_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "recruitment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("online_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_group", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planning",
                "recruiting",
                "running",
                "closed",
                "cancelled",
                name="event_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("jobseekers_invited", sa.Integer(), nullable=True),
        sa.Column("jobseekers_attended", sa.Integer(), nullable=True),
        sa.Column("interviews", sa.Integer(), nullable=True),
        sa.Column("hires", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(jobseekers_invited IS NULL OR jobseekers_invited >= 0)"
            " AND (jobseekers_attended IS NULL OR jobseekers_attended >= 0)"
            " AND (interviews IS NULL OR interviews >= 0)"
            " AND (hires IS NULL OR hires >= 0)",
            name=op.f("ck_recruitment_event_outcome_not_negative"),
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 1", name=op.f("ck_recruitment_event_capacity_positive")
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_recruitment_event_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_recruitment_event_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_recruitment_event_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("recruitment_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recruitment_event_owner_starts_at", ["owner_id", "starts_at"], unique=False
        )
        batch_op.create_index("ix_recruitment_event_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "event_member",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_member_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_event_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_event_member")),
    )
    with op.batch_alter_table("event_member", schema=None) as batch_op:
        batch_op.create_index("ix_event_member_user_id", ["user_id"], unique=False)

    op.create_table(
        "event_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "planning",
                "recruitment",
                "execution",
                "closing",
                name="event_phase",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user_account.id"],
            name=op.f("fk_event_task_assignee_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_task_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_task")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("event_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_task_assignee_done_due", ["assignee_id", "done_at", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_event_task_event_phase_position", ["event_id", "phase", "position"], unique=False
        )

    op.create_table(
        "event_company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "confirmed",
                "declined",
                "attended",
                name="event_company_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_event_company_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_event_company_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_company_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_company")),
        sa.UniqueConstraint(
            "event_id", "company_id", name=op.f("uq_event_company_event_id_company_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("event_company", schema=None) as batch_op:
        batch_op.create_index("ix_event_company_company_id", ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_company_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "event_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("hires", sa.Integer(), nullable=False),
        sa.CheckConstraint("hires >= 0", name=op.f("ck_event_assignment_hires_not_negative")),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_event_assignment_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["recruitment_event.id"],
            name=op.f("fk_event_assignment_event_id_recruitment_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_assignment")),
        sa.UniqueConstraint(
            "event_id", "assignment_id", name=op.f("uq_event_assignment_event_id_assignment_id")
        ),
    )
    with op.batch_alter_table("event_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_event_assignment_assignment_id", ["assignment_id"], unique=False)

    template = sa.table(
        "checklist_template_item",
        sa.column("phase", sa.String),
        sa.column("title", sa.String),
        sa.column("days_from_start", sa.Integer),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        template,
        [
            {"phase": phase, "title": title, "days_from_start": days, "position": position}
            for phase, items in DEFAULT_CHECKLIST.items()
            for position, (title, days) in enumerate(items, start=1)
        ],
    )


# The default checklist: (title, days from the event's start date; negative is before).
DEFAULT_CHECKLIST = {
    "planning": [
        ("Bestäm målgrupp, antal platser och vilka yrken träffen gäller", -42),
        ("Boka lokal eller digitalt mötesrum", -42),
        ("Bjud in företag", -35),
        ("Samla in företagens rekryteringsbehov och koppla uppdragen", -28),
    ],
    "recruitment": [
        ("Annonsera träffen hos samverkansparter och i sociala medier", -21),
        ("Samla anmälningar från arbetssökande", -7),
        ("Påminn företagen och bekräfta vem som kommer", -3),
    ],
    "execution": [
        ("Förbered lokal, skyltning och material", -1),
        ("Ta emot företag och arbetssökande", 0),
        ("Räkna deltagare och intervjuer", 0),
    ],
    "closing": [
        ("Tacka och följ upp med företagen", 3),
        ("Följ upp anställningar och fyll i utfallet", 14),
        ("Utvärdera träffen i teamet", 14),
    ],
}


def downgrade() -> None:
    with op.batch_alter_table("event_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_event_assignment_assignment_id")

    op.drop_table("event_assignment")
    with op.batch_alter_table("event_company", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_company_contact_id"))
        batch_op.drop_index("ix_event_company_company_id")

    op.drop_table("event_company")
    with op.batch_alter_table("event_task", schema=None) as batch_op:
        batch_op.drop_index("ix_event_task_event_phase_position")
        batch_op.drop_index("ix_event_task_assignee_done_due")

    op.drop_table("event_task")
    with op.batch_alter_table("event_member", schema=None) as batch_op:
        batch_op.drop_index("ix_event_member_user_id")

    op.drop_table("event_member")
    with op.batch_alter_table("recruitment_event", schema=None) as batch_op:
        batch_op.drop_index("ix_recruitment_event_starts_at")
        batch_op.drop_index("ix_recruitment_event_owner_starts_at")

    op.drop_table("recruitment_event")
    with op.batch_alter_table("calendar_feed_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_token_user_id"))

    op.drop_table("calendar_feed_token")
    op.drop_table("checklist_template_item")
