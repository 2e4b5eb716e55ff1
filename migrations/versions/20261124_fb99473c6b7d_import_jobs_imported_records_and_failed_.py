"""import jobs, imported records and failed rows

Revision ID: fb99473c6b7d
Revises: 9f75a4c0166e
Create Date: 2026-11-24 16:04:56.565066+00:00

New tables only, so no table is copied on SQLite. An import job keeps the uploaded file
itself (bytes, at most MATCHA_IMPORT_MAX_MB), so a queued or interrupted job survives a
restart; imported_record lists what a job created or updated, with the version right
after the import and the values before an update, so the import can be undone while
nobody has changed those records since; import_failure keeps the refused rows as read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = "fb99473c6b7d"
down_revision: str | None = "9f75a4c0166e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "companies",
                "contacts",
                "activities",
                "assignments",
                name="import_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sheet", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "analysed",
                "queued",
                "running",
                "done",
                "failed",
                "undone",
                name="import_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_import_job_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_job_status_created", ["status", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_import_job_user_id"), ["user_id"], unique=False)

    op.create_table(
        "import_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_import_failure_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_failure")),
    )
    with op.batch_alter_table("import_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_failure_job_id"), ["job_id"], unique=False)

    op.create_table(
        "imported_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_imported_record_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_record")),
    )
    with op.batch_alter_table("imported_record", schema=None) as batch_op:
        batch_op.create_index("ix_imported_record_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_record_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_record_job_id"))
        batch_op.drop_index("ix_imported_record_entity")

    op.drop_table("imported_record")
    with op.batch_alter_table("import_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_failure_job_id"))

    op.drop_table("import_failure")
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_job_user_id"))
        batch_op.drop_index("ix_import_job_status_created")

    op.drop_table("import_job")
