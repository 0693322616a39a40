"""reminders: the patient's phone and language, the reminder call's bookkeeping on a visit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("lang", sa.String(length=2), nullable=False,
                                   server_default="ru"))
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("reminder_attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("reminder_last_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reminder_outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reminder_ticket_hash", sa.String(length=64),
                                   nullable=True))
        batch.add_column(sa.Column("reminder_ticket_expires_at", sa.DateTime(),
                                   nullable=True))
    op.create_index("ix_appointments_reminder_ticket_hash", "appointments",
                    ["reminder_ticket_hash"])


def downgrade() -> None:
    op.drop_index("ix_appointments_reminder_ticket_hash", table_name="appointments")
    with op.batch_alter_table("appointments") as batch:
        for column in ("reminder_ticket_expires_at", "reminder_ticket_hash", "reminder_outcome",
                       "reminder_last_at", "reminder_attempts"):
            batch.drop_column(column)
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("lang")
        batch.drop_column("phone")
