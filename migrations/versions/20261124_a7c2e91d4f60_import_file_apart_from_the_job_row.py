"""import_file: an import's uploaded file apart from its job's row

Revision ID: a7c2e91d4f60
Revises: b11432bbab5b
Create Date: 2026-11-24 17:45:00.000000+00:00

The worker updates the job's row (progress, counts) after every batch. While the row held
the file, each update wrote the whole file again: for a 50,000-row sheet, a gigabyte of
writes. The column is dropped with a plain ALTER TABLE, not SQLite's batch copy: dropping
import_job to copy it would, with foreign keys on, delete the jobs' records and failures.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c2e91d4f60"
down_revision: str | None = "b11432bbab5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_file",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_import_file_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_import_file")),
    )
    op.execute("INSERT INTO import_file (job_id, data) SELECT id, data FROM import_job")
    op.drop_column("import_job", "data")


def downgrade() -> None:
    # Nullable on the way back: SQLite adds a NOT NULL column only with a default, and a
    # batch copy of import_job would delete its records (see above).
    op.add_column("import_job", sa.Column("data", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE import_job SET data = "
        "(SELECT data FROM import_file WHERE import_file.job_id = import_job.id)"
    )
    op.drop_table("import_file")
