"""import_job.heartbeat_at: when the instance running a job last showed it is alive

Revision ID: 3c9e5a1f7b20
Revises: 55d3f3bc2e3c
Create Date: 2026-11-24 18:30:00.000000+00:00

Several server instances may share one database. At start-up each queued again every job
left running, even one another live instance was running at that moment. The runner now
stamps the job when it claims it and after every batch; only running jobs whose stamp is
stale (or missing, as for jobs from before this column) are queued again.

A plain ALTER TABLE ADD COLUMN, not SQLite's batch copy: dropping import_job to copy it
would, with foreign keys on, delete the jobs' files, records and failures.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c9e5a1f7b20"
down_revision: str | None = "55d3f3bc2e3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "import_job", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Dropping a column is also a plain ALTER TABLE on SQLite (3.35+): no batch copy.
    op.drop_column("import_job", "heartbeat_at")
