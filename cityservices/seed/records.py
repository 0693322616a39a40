"""Demo data outside health: kindergarten, Troika, Open311, Wi-Fi hotspots and roads.
Times are relative to the seeding day, at fixed local hours, so a given day always gives the
same records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cityservices.models import (
    KindergartenApplication,
    Open311Service,
    Road,
    ServiceRequest,
    TroikaCard,
    TroikaTrip,
    WifiHotspot,
)

APPLICATIONS = [  # number, status, position, total, kindergartens, days ago, child born
    ("4455123", "in_queue", 17, 230, "1520", 5, date(2021, 6, 1)),
    ("4455999", "offered", None, 230, "2077", 2, date(2022, 2, 15)),
    ("4455000", "enrolled", None, 180, "1421", 40, date(2020, 9, 10)),
    ("4455777", "in_queue", 3, 95, "2077,1520", 11, date(2022, 11, 23)),
]
CARDS = [  # number, kopecks, topup days ago, the owner's phone: last 4 digits (trip history)
    ("0123456789", 24500, 3, "4567"),
    ("9876543210", 1200, 30, "0021"),
]
TRIPS = {  # card: (days ago, HH:MM, route ru, route en, fare kopecks)
    "0123456789": [
        (0, "08:41", "Метро", "Metro", 6200),
        (1, "18:05", "Автобус 144", "Bus 144", 6200),
        (1, "08:37", "Метро", "Metro", 6200),
        (2, "19:22", "Трамвай 3", "Tram 3", 6200),
        (2, "08:45", "Метро", "Metro", 6200),
    ],
    "9876543210": [
        (1, "12:10", "Автобус 101", "Bus 101", 6200),
        (4, "09:15", "Метро", "Metro", 6200),
    ],
}
SERVICES = [
    ("streetlight", "Не горит уличный фонарь", "Street light out", "lighting", "фонарь,свет"),
    ("pothole", "Яма на дороге", "Pothole", "roads", "яма,асфальт,дорога"),
    ("garbage", "Не вывезен мусор", "Garbage not collected", "sanitation", "мусор,контейнер"),
    ("graffiti", "Граффити", "Graffiti", "sanitation", "граффити,надписи"),
    ("snow", "Не убран снег", "Snow not cleared", "roads", "снег,наледь,сосульки"),
    ("tree", "Упавшее дерево", "Fallen tree", "parks", "дерево,ветки"),
]
HOTSPOTS = [
    ("wifi-pushkinskaya", "Пушкинская площадь", "Pushkinskaya Square", "Moscow_WiFi_Free",
     55.7655, 37.6050),
    ("wifi-strastnoy", "Страстной бульвар", "Strastnoy Boulevard", "Moscow_WiFi_Free",
     55.7668, 37.6100),
    ("wifi-metro-pushkinskaya", "Станция метро «Пушкинская»", "Pushkinskaya metro station",
     "MT_FREE", 55.7661, 37.6035),
    ("wifi-kamergersky", "Камергерский переулок", "Kamergersky Lane", "Moscow_WiFi_Free",
     55.7605, 37.6130),
    ("wifi-patriarshiye", "Патриаршие пруды", "Patriarch's Ponds", "Moscow_WiFi_Free",
     55.7636, 37.5925),
    ("wifi-manezhnaya", "Манежная площадь", "Manezhnaya Square", "Moscow_WiFi_Free",
     55.7558, 37.6150),
    ("wifi-teatralnaya", "Театральная площадь", "Teatralnaya Square", "Moscow_WiFi_Free",
     55.7595, 37.6195),
    ("wifi-nikolskaya", "Никольская улица", "Nikolskaya Street", "Moscow_WiFi_Free",
     55.7577, 37.6230),
    ("wifi-zaryadye", "Парк «Зарядье»", "Zaryadye Park", "Moscow_WiFi_Free", 55.7512, 37.6285),
    ("wifi-chistye-prudy", "Чистые пруды", "Chistye Prudy", "Moscow_WiFi_Free", 55.7618, 37.6430),
    ("wifi-gogolevsky", "Гоголевский бульвар", "Gogolevsky Boulevard", "Moscow_WiFi_Free",
     55.7475, 37.6020),
    ("wifi-novy-arbat", "Новый Арбат", "Novy Arbat", "Moscow_WiFi_Free", 55.7525, 37.5900),
    ("wifi-gorky-park", "Парк Горького", "Gorky Park", "Moscow_WiFi_Free", 55.7298, 37.6010),
]  # fmt: skip
ROADS = [  # id, ru, en, weight, phase minutes
    ("tverskaya", "Тверская улица", "Tverskaya Street", 1.1, 0),
    ("sadovoe", "Садовое кольцо", "Garden Ring", 1.25, 10),
    ("bulvarnoe", "Бульварное кольцо", "Boulevard Ring", 0.9, -10),
    ("novy_arbat", "Новый Арбат", "Novy Arbat", 1.0, 5),
    ("leningradsky", "Ленинградский проспект", "Leningradsky Avenue", 1.15, -20),
    ("kutuzovsky", "Кутузовский проспект", "Kutuzovsky Avenue", 1.1, -15),
    ("ttk", "Третье транспортное кольцо", "Third Ring Road", 1.2, 0),
    ("mkad", "МКАД", "Moscow Ring Road (MKAD)", 1.3, -30),
    ("leninsky", "Ленинский проспект", "Leninsky Avenue", 1.05, 15),
    ("prospekt_mira", "Проспект Мира", "Prospekt Mira", 1.1, 0),
    ("varshavskoe", "Варшавское шоссе", "Varshavskoye Highway", 1.0, -25),
]


def _at(today: date, days_ago: int, hhmm: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=tz)


def seed_records(session: Session, today: date, tz: ZoneInfo) -> None:
    for number, status, pos, total, gardens, ago, born in APPLICATIONS:
        session.add(
            KindergartenApplication(
                number=number,
                status=status,
                position=pos,
                total=total,
                kindergartens=gardens,
                child_birth_date=born,
                updated_at=_at(today, ago, "10:00", tz),
            )
        )
    for number, kop, topup_ago, phone in CARDS:
        topup = _at(today, topup_ago, "08:12", tz)
        session.add(TroikaCard(number=number, balance_kop=kop, last_topup_at=topup,
                               phone_last4=phone))
    session.flush()
    for number, trips in TRIPS.items():
        for ago, hhmm, ru, en, fare in trips:
            session.add(
                TroikaTrip(
                    card_number=number,
                    at=_at(today, ago, hhmm, tz),
                    route=ru,
                    route_en=en,
                    fare_kop=fare,
                )
            )
    for code, ru, en, group, keywords in SERVICES:
        session.add(
            Open311Service(
                code=code,
                name_ru=ru,
                name_en=en,
                description_ru=ru,
                description_en=en,
                group=group,
                keywords=keywords,
            )
        )
    session.flush()
    _seed_requests(session, today, tz)
    session.add_all(
        WifiHotspot(id=i, name_ru=ru, name_en=en, ssid=ssid, lat=lat, lon=lon)
        for i, ru, en, ssid, lat, lon in HOTSPOTS
    )
    session.add_all(
        Road(id=i, name_ru=ru, name_en=en, weight=w, phase_min=ph) for i, ru, en, w, ph in ROADS
    )
    session.flush()


def _seed_requests(session: Session, today: date, tz: ZoneInfo) -> None:
    session.add(
        ServiceRequest(
            id=1001,
            service_code="streetlight",
            status="open",
            status_notes_ru="Бригада назначена, фонарь починят в течение трёх дней",
            status_notes_en="A crew is assigned; the light will be fixed within three days",
            description="Не горит фонарь у дома 7 / Street light out by house 7",
            lat=55.7579,
            lon=37.6120,
            address_ru="Тверская ул., 7",
            address_en="Tverskaya St 7",
            requested_at=_at(today, 2, "21:15", tz),
            updated_at=_at(today, 1, "09:30", tz),
        )
    )
    session.add(
        ServiceRequest(
            id=1002,
            service_code="pothole",
            status="closed",
            status_notes_ru="Яма заделана",
            status_notes_en="Pothole repaired",
            description="Яма на проезжей части / Pothole in the roadway",
            lat=55.7497,
            lon=37.5935,
            address_ru="ул. Арбат, 12",
            address_en="Arbat St 12",
            requested_at=_at(today, 20, "08:05", tz),
            updated_at=_at(today, 6, "16:40", tz),
        )
    )
    session.flush()
