"""trust: idempotency keys, EMIAS rules (one active visit per specialty), second factors

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'booked'")


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("specialty_code", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE appointments SET specialty_code = "
        "(SELECT slots.specialty_code FROM slots WHERE slots.id = appointments.slot_id)"
    )
    # visits already over are no longer active ('done'); of two active visits to one specialty
    # the oldest stays booked and the later ones are cancelled, so the unique index can hold
    op.execute(
        "UPDATE appointments SET status = 'done' WHERE status = 'booked' AND slot_id IN "
        "(SELECT id FROM slots WHERE slots.\"end\" <= CURRENT_TIMESTAMP)"
    )
    op.execute(
        "UPDATE appointments SET status = 'cancelled' WHERE status = 'booked' AND EXISTS "
        "(SELECT 1 FROM appointments a2 WHERE a2.patient_id = appointments.patient_id "
        "AND a2.specialty_code = appointments.specialty_code AND a2.status = 'booked' "
        "AND a2.id < appointments.id)"
    )
    op.create_index(
        "ux_appointments_active_specialty", "appointments", ["patient_id", "specialty_code"],
        unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE,
    )
    with op.batch_alter_table("kindergarten_applications") as batch:
        batch.add_column(sa.Column("child_birth_date", sa.Date(), nullable=True))
    with op.batch_alter_table("troika_cards") as batch:
        batch.add_column(sa.Column("phone_last4", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("troika_cards") as batch:
        batch.drop_column("phone_last4")
    with op.batch_alter_table("kindergarten_applications") as batch:
        batch.drop_column("child_birth_date")
    op.drop_index("ux_appointments_active_specialty", table_name="appointments")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("specialty_code")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
