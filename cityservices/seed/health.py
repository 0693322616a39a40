"""Demo data for health: districts, specialties, clinics, practitioners, patients and slots.

Slots are generated per practitioner and day from ``random.Random(f"{id}:{day}")``, so the same
day always gives the same slots, ids and taken/free pattern."""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityservices.models import (
    Appointment,
    Clinic,
    District,
    Patient,
    Practitioner,
    Slot,
    Specialty,
)

DAYS_AHEAD = 14
SLOT_MIN = 30
TAKEN_SHARE = 0.3

DISTRICTS = [
    ("tverskoy", "Тверской", "Tverskoy"),
    ("arbat", "Арбат", "Arbat"),
    ("presnensky", "Пресненский", "Presnensky"),
    ("khamovniki", "Хамовники", "Khamovniki"),
    ("basmanny", "Басманный", "Basmanny"),
]
SPECIALTIES = [
    ("therapist", "Терапевт", "Therapist"),
    ("pediatrician", "Педиатр", "Pediatrician"),
    ("dentist", "Стоматолог", "Dentist"),
    ("ophthalmologist", "Офтальмолог", "Ophthalmologist"),
    ("otolaryngologist", "Оториноларинголог (ЛОР)", "Otolaryngologist (ENT)"),
    ("surgeon", "Хирург", "Surgeon"),
    ("cardiologist", "Кардиолог", "Cardiologist"),
    ("neurologist", "Невролог", "Neurologist"),
    ("dermatologist", "Дерматолог", "Dermatologist"),
    ("gynecologist", "Гинеколог", "Gynecologist"),
]
# id, district, name ru/en, address ru/en, lat, lon, specialties (None: all)
CLINICS = [
    ("c01", "tverskoy", "Городская поликлиника № 3", "City Polyclinic No. 3",
     "Тверская ул., 25", "Tverskaya St 25", 55.7700, 37.5965, None),
    ("c02", "tverskoy", "Поликлиника № 5, филиал 1", "Polyclinic No. 5, branch 1",
     "ул. Каретный Ряд, 8", "Karetny Ryad St 8", 55.7713, 37.6106, None),
    ("c03", "arbat", "Городская поликлиника № 2", "City Polyclinic No. 2",
     "ул. Арбат, 41", "Arbat St 41", 55.7485, 37.5868, None),
    ("c04", "presnensky", "Городская поликлиника № 220", "City Polyclinic No. 220",
     "ул. Красная Пресня, 12", "Krasnaya Presnya St 12", 55.7622, 37.5657, None),
    ("c05", "khamovniki", "Городская поликлиника № 68", "City Polyclinic No. 68",
     "Зубовский бульвар, 10", "Zubovsky Boulevard 10", 55.7369, 37.5893, None),
    ("c06", "basmanny", "Городская поликлиника № 5", "City Polyclinic No. 5",
     "ул. Покровка, 22", "Pokrovka St 22", 55.7594, 37.6450, None),
    ("c07", "arbat", "Детская поликлиника № 32", "Children's Polyclinic No. 32",
     "Гагаринский пер., 37", "Gagarinsky Lane 37", 55.7444, 37.5954,
     ("pediatrician", "ophthalmologist", "otolaryngologist", "dentist")),
]  # fmt: skip
PATIENTS = [
    ("pat-0001", "7712345678901234", date(1985, 3, 14), "Иван Петров", "Ivan Petrov", "tverskoy"),
    ("pat-0002", "7798765432109876", date(1992, 11, 2), "Анна Смирнова", "Anna Smirnova", "arbat"),
    ("pat-0003", "7700000000000017", date(1978, 6, 30), "Сергей Иванов", "Sergei Ivanov",
     "presnensky"),
    ("pat-0004", "7700000000000025", date(2015, 9, 5), "Мария Кузнецова", "Maria Kuznetsova",
     "khamovniki"),
]  # fmt: skip
# reminder calls: demo phone numbers (Moscow 495 numbers of no one) and the language spoken
PHONES = {
    "pat-0001": ("+74950000101", "ru"),
    "pat-0002": ("+74950000102", "ru"),
    "pat-0003": ("+74950000103", "en"),
    "pat-0004": ("+74950000104", "ru"),  # a child: the parent's phone
}
_FIRST = [
    ("Елена", "Elena"), ("Ольга", "Olga"), ("Дмитрий", "Dmitry"), ("Наталья", "Natalya"),
    ("Алексей", "Alexei"), ("Татьяна", "Tatiana"), ("Михаил", "Mikhail"), ("Ирина", "Irina"),
]  # fmt: skip
_LAST = [
    ("Соколов", "Sokolov"), ("Волков", "Volkov"), ("Морозов", "Morozov"), ("Лебедев", "Lebedev"),
    ("Новиков", "Novikov"), ("Орлов", "Orlov"), ("Зайцев", "Zaitsev"), ("Павлов", "Pavlov"),
]  # fmt: skip
_FEMALE = {"Елена", "Ольга", "Наталья", "Татьяна", "Ирина"}


def _practitioner_name(index: int) -> tuple[str, str]:
    first_ru, first_en = _FIRST[index % len(_FIRST)]
    last_ru, last_en = _LAST[(index * 3 + 1) % len(_LAST)]
    if first_ru in _FEMALE:
        last_ru, last_en = last_ru + "а", last_en + "a"
    return f"{first_ru} {last_ru}", f"{first_en} {last_en}"


def seed_reference(session: Session) -> None:
    """Districts, specialties, clinics, practitioners and patients."""
    session.add_all(District(code=c, name_ru=ru, name_en=en) for c, ru, en in DISTRICTS)
    session.add_all(Specialty(code=c, name_ru=ru, name_en=en) for c, ru, en in SPECIALTIES)
    session.flush()  # no ORM relationships: flush parents before children
    index = 0
    for cid, district, n_ru, n_en, a_ru, a_en, lat, lon, specs in CLINICS:
        session.add(
            Clinic(
                id=cid,
                name_ru=n_ru,
                name_en=n_en,
                district_code=district,
                address_ru=a_ru,
                address_en=a_en,
                lat=lat,
                lon=lon,
            )
        )
        session.flush()
        for code, _, _ in SPECIALTIES:
            if specs is None or code in specs:
                ru, en = _practitioner_name(index)
                session.add(
                    Practitioner(
                        id=f"{cid}-{code[:4]}",
                        name_ru=ru,
                        name_en=en,
                        specialty_code=code,
                        clinic_id=cid,
                    )
                )
                index += 1
    for pid, policy, born, ru, en, district in PATIENTS:
        session.add(
            Patient(
                id=pid,
                policy_number=policy,
                birth_date=born,
                name_ru=ru,
                name_en=en,
                district_code=district,
                phone=PHONES[pid][0],
                lang=PHONES[pid][1],
            )
        )
    session.flush()


def _shift(practitioner: Practitioner, day: date) -> tuple[time, time] | None:
    """Working hours: weekdays alternate morning and afternoon, a third work Saturday mornings;
    on Sundays only the therapists are on duty, in the morning."""
    weekday, key = day.weekday(), zlib.crc32(practitioner.id.encode())
    if weekday == 6:
        on_duty = practitioner.specialty_code == "therapist"
        return (time(9, 0), time(15, 0)) if on_duty else None
    if weekday == 5 and key % 3 != 0:
        return None
    if weekday == 5:
        return time(9, 0), time(14, 0)
    if (key + day.toordinal()) % 2 == 0:
        return time(8, 0), time(14, 0)
    return time(14, 0), time(20, 0)


def slots_for_day(practitioners: list[Practitioner], day: date, tz: ZoneInfo) -> list[Slot]:
    out = []
    for p in practitioners:
        shift = _shift(p, day)
        if shift is None:
            continue
        rng = random.Random(f"{p.id}:{day.isoformat()}")
        start = datetime.combine(day, shift[0], tzinfo=tz)
        stop = datetime.combine(day, shift[1], tzinfo=tz)
        while start < stop:
            end = start + timedelta(minutes=SLOT_MIN)
            status = "busy" if rng.random() < TAKEN_SHARE else "free"
            out.append(
                Slot(
                    id=f"{p.id}-{start:%Y%m%d-%H%M}",
                    practitioner_id=p.id,
                    clinic_id=p.clinic_id,
                    specialty_code=p.specialty_code,
                    start=start,
                    end=end,
                    status=status,
                )
            )
            start = end
    return out


def ensure_slots(session: Session, today: date, tz: ZoneInfo) -> int:
    """Generate the missing days so slots run from today over the next 14 days."""
    last = session.execute(select(func.max(Slot.start))).scalar_one_or_none()
    first_day = today if last is None else max(today, last.astimezone(tz).date() + timedelta(1))
    practitioners = list(session.execute(select(Practitioner).order_by(Practitioner.id)).scalars())
    added = 0
    day = first_day
    while day < today + timedelta(days=DAYS_AHEAD):
        batch = slots_for_day(practitioners, day, tz)
        session.add_all(batch)
        added += len(batch)
        day += timedelta(days=1)
    session.flush()
    return added


def seed_demo_appointment(session: Session, today: date, tz: ZoneInfo, now: datetime) -> None:
    """Anna Smirnova has one upcoming dentist visit in Arbat, so "my appointments" has content."""
    day_start = datetime.combine(today + timedelta(days=3), time(0, 0), tzinfo=tz)
    slot = session.execute(
        select(Slot)
        .where(Slot.specialty_code == "dentist", Slot.clinic_id == "c03", Slot.status == "free")
        .where(Slot.start >= day_start)
        .order_by(Slot.start)
        .limit(1)
    ).scalar_one_or_none()
    if slot is None:
        return
    slot.status = "busy"
    session.add(
        Appointment(
            patient_id="pat-0002", slot_id=slot.id, specialty_code=slot.specialty_code,
            status="booked", created_at=now, updated_at=now,
        )
    )
    session.flush()
