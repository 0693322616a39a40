"""SQLAlchemy 2 models of the city back-ends. Datetimes are stored as naive UTC, read back aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC in the database, aware UTC datetimes out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


# --- health -------------------------------------------------------------------------------------
class District(Base):
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Specialty(Base):
    __tablename__ = "specialties"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Clinic(Base):
    __tablename__ = "clinics"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    address_ru: Mapped[str] = mapped_column(String(200))
    address_en: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Practitioner(Base):
    __tablename__ = "practitioners"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialties.code"))
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (
        Index("ix_slots_search", "specialty_code", "status", "start"),
        Index("ix_slots_clinic_start", "clinic_id", "start"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioners.id"))
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialties.code"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(8), default="free")


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(16), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    # reminder calls (migration 0003): the number to call (E.164, masked in every log) and the
    # language the patient is spoken to in
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    lang: Mapped[str] = mapped_column(String(2), default="ru", server_default="ru")


class PatientToken(Base):
    __tablename__ = "patient_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuthFailure(Base):
    """One failed identification, keyed by a hash of the policy number or of the client address."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


ACTIVE_BOOKING = text("status = 'booked'")


class Appointment(Base):
    """A visit. ``status``: booked (active), cancelled, or done (its slot is over; set inside
    the next booking transaction, so the partial unique index sees only active visits)."""

    __tablename__ = "appointments"
    __table_args__ = (
        # EMIAS: one active visit per patient and specialty (migration 0002)
        Index("ux_appointments_active_specialty", "patient_id", "specialty_code", unique=True,
              sqlite_where=ACTIVE_BOOKING, postgresql_where=ACTIVE_BOOKING),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("slots.id"), index=True)
    specialty_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="booked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the reminder call the day before (migration 0003, services/reminders.py): calls placed,
    # the last one's time, the outcome, and the one-time ticket of the call in progress (hashed)
    reminder_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminder_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminder_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reminder_ticket_hash: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                             index=True)
    reminder_ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(),
                                                                        nullable=True)


# --- kindergarten, troika -----------------------------------------------------------------------
class KindergartenApplication(Base):
    __tablename__ = "kindergarten_applications"
    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total: Mapped[int] = mapped_column(Integer)
    kindergartens: Mapped[str] = mapped_column(String(200))  # comma-separated numbers
    # the second factor of a status request (migration 0002)
    child_birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TroikaCard(Base):
    __tablename__ = "troika_cards"
    number: Mapped[str] = mapped_column(String(10), primary_key=True)
    balance_kop: Mapped[int] = mapped_column(Integer)
    last_topup_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # the second factor of the trip history: the owner's registered phone, last 4 digits
    phone_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)


class TroikaTrip(Base):
    __tablename__ = "troika_trips"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_number: Mapped[str] = mapped_column(ForeignKey("troika_cards.number"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    route: Mapped[str] = mapped_column(String(40))
    route_en: Mapped[str] = mapped_column(String(40))
    fare_kop: Mapped[int] = mapped_column(Integer)


# --- transit (GTFS static) ----------------------------------------------------------------------
class TransitStop(Base):
    __tablename__ = "transit_stops"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class TransitRoute(Base):
    __tablename__ = "transit_routes"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(32))
    long_name: Mapped[str] = mapped_column(String(200))
    route_type: Mapped[int] = mapped_column(Integer)


class TransitTrip(Base):
    __tablename__ = "transit_trips"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    route_id: Mapped[str] = mapped_column(ForeignKey("transit_routes.id"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    headsign_ru: Mapped[str] = mapped_column(String(200))
    headsign_en: Mapped[str] = mapped_column(String(200))


class TransitStopTime(Base):
    __tablename__ = "transit_stop_times"
    trip_id: Mapped[str] = mapped_column(ForeignKey("transit_trips.id"), primary_key=True)
    stop_sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop_id: Mapped[str] = mapped_column(ForeignKey("transit_stops.id"), index=True)
    arrival_s: Mapped[int] = mapped_column(
        Integer
    )  # seconds after the service day's midnight, may pass 24 h


class TransitCalendar(Base):
    __tablename__ = "transit_calendar"
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    weekdays: Mapped[str] = mapped_column(String(7))  # "1111100": Monday..Sunday
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class TransitCalendarDate(Base):
    __tablename__ = "transit_calendar_dates"
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    exception_type: Mapped[int] = mapped_column(Integer)  # 1 added, 2 removed


class TransitFrequency(Base):
    __tablename__ = "transit_frequencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trip_id: Mapped[str] = mapped_column(ForeignKey("transit_trips.id"), index=True)
    start_s: Mapped[int] = mapped_column(Integer)
    end_s: Mapped[int] = mapped_column(Integer)
    headway_s: Mapped[int] = mapped_column(Integer)


# --- traffic, wifi, open311 ---------------------------------------------------------------------
class Road(Base):
    __tablename__ = "roads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float)  # how strongly the road reacts to rush hours
    phase_min: Mapped[int] = mapped_column(Integer)  # shift of the road's peaks, minutes


class WifiHotspot(Base):
    __tablename__ = "wifi_hotspots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    ssid: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Open311Service(Base):
    __tablename__ = "open311_services"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_ru: Mapped[str] = mapped_column(String(400))
    description_en: Mapped[str] = mapped_column(String(400))
    group: Mapped[str] = mapped_column(String(64))
    keywords: Mapped[str] = mapped_column(String(400))


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("open311_services.code"))
    status: Mapped[str] = mapped_column(String(8))
    status_notes_ru: Mapped[str] = mapped_column(String(400))
    status_notes_en: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    address_ru: Mapped[str] = mapped_column(String(400))
    address_en: Mapped[str] = mapped_column(String(400))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdempotencyKey(Base):
    """A mutation's result under its ``Idempotency-Key``: a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)  # client name + key, hashed
    request_hash: Mapped[str] = mapped_column(String(64))  # method, path, patient and body
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # the JSON answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SeedInfo(Base):
    """One row per seeding: when, for which day, which data version."""

    __tablename__ = "seed_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seeded_for: Mapped[date] = mapped_column(Date)
    version: Mapped[str] = mapped_column(String(16))
