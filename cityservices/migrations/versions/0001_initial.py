"""initial schema

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_failures_key_at", "auth_failures", ["key", "at"], unique=False)

    op.create_table(
        "districts",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "kindergarten_applications",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("kindergartens", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "open311_services",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description_ru", sa.String(length=400), nullable=False),
        sa.Column("description_en", sa.String(length=400), nullable=False),
        sa.Column("group", sa.String(length=64), nullable=False),
        sa.Column("keywords", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "roads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("phase_min", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "seed_info",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seeded_for", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "specialties",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "transit_calendar",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("service_id"),
    )
    op.create_table(
        "transit_calendar_dates",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exception_type", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "date"),
    )
    op.create_table(
        "transit_routes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("short_name", sa.String(length=32), nullable=False),
        sa.Column("long_name", sa.String(length=200), nullable=False),
        sa.Column("route_type", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "transit_stops",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "troika_cards",
        sa.Column("number", sa.String(length=10), nullable=False),
        sa.Column("balance_kop", sa.Integer(), nullable=False),
        sa.Column("last_topup_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "wifi_hotspots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("ssid", sa.String(length=64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "clinics",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("address_ru", sa.String(length=200), nullable=False),
        sa.Column("address_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("policy_number", sa.String(length=16), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_number"),
    )
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("status_notes_ru", sa.String(length=400), nullable=False),
        sa.Column("status_notes_en", sa.String(length=400), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("address_ru", sa.String(length=400), nullable=False),
        sa.Column("address_en", sa.String(length=400), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["open311_services.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "transit_trips",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("route_id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("headsign_ru", sa.String(length=200), nullable=False),
        sa.Column("headsign_en", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["transit_routes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transit_trips_route_id", "transit_trips", ["route_id"], unique=False)

    op.create_table(
        "troika_trips",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("card_number", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("route_en", sa.String(length=40), nullable=False),
        sa.Column("fare_kop", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_number"],
            ["troika_cards.number"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_troika_trips_card_number", "troika_trips", ["card_number"], unique=False)

    op.create_table(
        "patient_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_patient_tokens_expires_at", "patient_tokens", ["expires_at"], unique=False)
    op.create_index("ix_patient_tokens_patient_id", "patient_tokens", ["patient_id"], unique=False)

    op.create_table(
        "practitioners",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("specialty_code", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialties.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "transit_frequencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trip_id", sa.String(length=64), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("headway_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["transit_trips.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_transit_frequencies_trip_id",
        "transit_frequencies",
        ["trip_id"],
        unique=False,
    )

    op.create_table(
        "transit_stop_times",
        sa.Column("trip_id", sa.String(length=64), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.String(length=64), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["transit_stops.id"],
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["transit_trips.id"],
        ),
        sa.PrimaryKeyConstraint("trip_id", "stop_sequence"),
    )
    op.create_index(
        "ix_transit_stop_times_stop_id", "transit_stop_times", ["stop_id"], unique=False
    )

    op.create_table(
        "slots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("practitioner_id", sa.String(length=16), nullable=False),
        sa.Column("clinic_id", sa.String(length=16), nullable=False),
        sa.Column("specialty_code", sa.String(length=32), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialties.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_slots_clinic_start", "slots", ["clinic_id", "start"], unique=False)
    op.create_index("ix_slots_search", "slots", ["specialty_code", "status", "start"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=16), nullable=False),
        sa.Column("slot_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appointments_patient_id", "appointments", ["patient_id"], unique=False)
    op.create_index("ix_appointments_slot_id", "appointments", ["slot_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_appointments_slot_id", table_name="appointments")
    op.drop_index("ix_appointments_patient_id", table_name="appointments")

    op.drop_table("appointments")
    op.drop_index("ix_slots_search", table_name="slots")
    op.drop_index("ix_slots_clinic_start", table_name="slots")

    op.drop_table("slots")
    op.drop_index("ix_transit_stop_times_stop_id", table_name="transit_stop_times")

    op.drop_table("transit_stop_times")
    op.drop_index("ix_transit_frequencies_trip_id", table_name="transit_frequencies")

    op.drop_table("transit_frequencies")
    op.drop_table("practitioners")
    op.drop_index("ix_patient_tokens_patient_id", table_name="patient_tokens")
    op.drop_index("ix_patient_tokens_expires_at", table_name="patient_tokens")

    op.drop_table("patient_tokens")
    op.drop_index("ix_troika_trips_card_number", table_name="troika_trips")

    op.drop_table("troika_trips")
    op.drop_index("ix_transit_trips_route_id", table_name="transit_trips")

    op.drop_table("transit_trips")
    op.drop_table("service_requests")
    op.drop_table("patients")
    op.drop_table("clinics")
    op.drop_table("wifi_hotspots")
    op.drop_table("troika_cards")
    op.drop_table("transit_stops")
    op.drop_table("transit_routes")
    op.drop_table("transit_calendar_dates")
    op.drop_table("transit_calendar")
    op.drop_table("specialties")
    op.drop_table("seed_info")
    op.drop_table("roads")
    op.drop_table("open311_services")
    op.drop_table("kindergarten_applications")
    op.drop_table("districts")
    op.drop_index("ix_auth_failures_key_at", table_name="auth_failures")

    op.drop_table("auth_failures")
