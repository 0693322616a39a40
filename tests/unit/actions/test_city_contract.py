"""The contract of `CityClient` with the city back-ends: every client method against cityservices'
own FastAPI app (in process, over `httpx.ASGITransport`, on a seeded SQLite copy), so the client's
paths, parameters and models cannot drift from the server's. Tests may import cityservices; the
actions never do."""

from __future__ import annotations

import inspect
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from action_fakes import FakeCity

from actions.city_client import AlreadyBooked, CityApi, CityClient, Conflict, InvalidInput, NotFound
from cityservices.app import create_app
from cityservices.db import create_db_engine, run_migrations
from cityservices.dbguard import ensure_database
from cityservices.deps import get_now
from cityservices.seed import prepare
from tests.unit.cityservices.support import ANNA, IVAN, MSK, NOW, TODAY, make_settings

DAY = TODAY.isoformat()
WEEK = (TODAY + timedelta(days=6)).isoformat()


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("city-contract")
    ensure_database(make_settings(tmp))
    engine = create_db_engine(make_settings(tmp))
    run_migrations(engine)
    prepare(engine, TODAY, MSK)
    engine.dispose()
    return tmp / "city.db"


@pytest.fixture
async def city(tmp_path: Path, template_db: Path) -> AsyncIterator[CityClient]:
    shutil.copy(template_db, tmp_path / "city.db")
    app = create_app(make_settings(tmp_path))
    app.dependency_overrides[get_now] = lambda: NOW
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        yield CityClient(base_url="http://city.test", api_key="demo-city-key", timeout_s=10.0,
                         transport=transport)


async def test_identify_slots_book_list_reschedule_cancel(city: CityClient) -> None:
    who = await city.identify(IVAN["policy_number"], IVAN["birth_date"])
    assert who.token and who.patient.name_ru
    slots = await city.slots("therapist", DAY, WEEK, limit=3)
    assert len(slots) == 3 and all(s.specialty == "therapist" and s.status == "free"
                                   for s in slots)
    assert slots[0].clinic is not None and slots[0].practitioner is not None
    booked = await city.book(who.token, slots[0].id)
    assert booked.reference and booked.service_type == "therapist"
    assert [a.id for a in await city.appointments(who.token)] == [booked.id]
    moved = await city.reschedule(who.token, booked.id, slots[1].id)
    assert moved.start == slots[1].start
    cancelled = await city.cancel(who.token, moved.id)
    assert cancelled.status == "cancelled"
    assert await city.appointments(who.token) == []


async def test_slots_in_a_district(city: CityClient) -> None:
    slots = await city.slots("dentist", DAY, WEEK, district="Arbat")
    assert slots and all(s.clinic and s.clinic.district == "Arbat" for s in slots)


async def test_errors_map_to_the_client_exceptions(city: CityClient) -> None:
    with pytest.raises(NotFound):
        await city.identify(IVAN["policy_number"], "2000-01-01")
    ivan = await city.identify(IVAN["policy_number"], IVAN["birth_date"])
    anna = await city.identify(ANNA["policy_number"], ANNA["birth_date"])
    [first] = await city.slots("therapist", DAY, WEEK, limit=1)
    await city.book(anna.token, first.id)
    with pytest.raises(Conflict) as taken:
        await city.book(ivan.token, first.id)
    assert taken.value.code == "slot-taken" and taken.value.alternatives
    with pytest.raises(NotFound):
        await city.troika("0000000000")
    with pytest.raises(InvalidInput):
        await city.kindergarten("12ab", "2021-06-01")
    with pytest.raises(NotFound):  # the number alone, with another child's birth date
        await city.kindergarten("4455123", "2022-02-15")


async def test_troika_and_kindergarten(city: CityClient) -> None:
    card = await city.troika("0123456789")
    assert card.number == "0123456789" and card.balance_rub > 0
    assert card.trips == []  # trips need the second factor
    trips = await city.troika_trips("0123456789", "4567")
    assert trips and trips[0].route
    app = await city.kindergarten("4455123", "2021-06-01")
    assert app.number == "4455123" and app.status
    assert app.kindergartens_detail or app.kindergartens
    assert (await city.kindergarten("4455999", "2022-02-15")).status == "offered"


async def test_idempotent_mutations_and_emias_conflicts(city: CityClient) -> None:
    ivan = await city.identify(IVAN["policy_number"], IVAN["birth_date"])
    a, b = await city.slots("therapist", DAY, WEEK, limit=2)
    first = await city.book(ivan.token, a.id, idempotency_key="conv-1-book-a")
    again = await city.book(ivan.token, a.id, idempotency_key="conv-1-book-a")
    assert again.reference == first.reference
    with pytest.raises(InvalidInput) as reused:
        await city.book(ivan.token, b.id, idempotency_key="conv-1-book-a")
    assert reused.value.code == "idempotency-key-reused"
    with pytest.raises(AlreadyBooked) as twice:
        await city.book(ivan.token, b.id)
    assert str(twice.value.existing_id) == str(first.id)
    moved = await city.reschedule(ivan.token, first.id, b.id, idempotency_key="conv-1-move")
    assert (await city.reschedule(ivan.token, first.id, b.id,
                                  idempotency_key="conv-1-move")).id == moved.id
    gone = await city.cancel(ivan.token, moved.id, idempotency_key="conv-1-cancel")
    assert (await city.cancel(ivan.token, moved.id,
                              idempotency_key="conv-1-cancel")).status == gone.status


async def test_transit_traffic_wifi(city: CityClient) -> None:
    [stop, *_] = await city.find_stops("пушкинская площадь")
    assert stop.name_ru and stop.lat and stop.routes
    arrivals = await city.arrivals(stop.id, limit=2)
    assert 0 < len(arrivals) <= 2 and all(a.route for a in arrivals)
    assert await city.find_stops("марс") == []
    roads = await city.roads()
    assert roads and all(0 <= r.level <= 10 for r in roads)
    assert (await city.roads("тверской улице"))[0].name_ru
    [spot] = await city.hotspots(55.7655, 37.6050, limit=1)
    assert spot.ssid and spot.distance_m >= 0


async def test_open311_report_and_status(city: CityClient) -> None:
    services = await city.services()
    codes = {s["service_code"] for s in services}
    assert "pothole" in codes
    number = await city.report("pothole", "Яма у дома", address="Arbat St 1")
    mine = await city.request_status(number)
    assert str(mine.service_request_id) == number and mine.status == "open"
    fixed = await city.request_status("1002")
    assert fixed.status == "closed" and fixed.status_notes
    with pytest.raises(NotFound):
        await city.request_status("999999")


def _protocol_methods() -> list[str]:
    return [name for name, member in vars(CityApi).items()
            if inspect.iscoroutinefunction(member)]


@pytest.mark.parametrize("impl", [CityClient, FakeCity])
def test_implements_every_city_api_method(impl: type) -> None:
    """The runtime half of the structural check (mypy checks `action_fakes.city_api`): same
    method names, parameter names, kinds and defaults as `CityApi`."""
    methods = _protocol_methods()
    assert len(methods) == 16
    for name in methods:
        want = inspect.signature(getattr(CityApi, name)).parameters
        got = inspect.signature(getattr(impl, name)).parameters
        shape = [(p.name, p.kind, p.default) for p in want.values()]
        assert [(p.name, p.kind, p.default) for p in got.values()] == shape, name
        assert inspect.iscoroutinefunction(getattr(impl, name)), name
