"""Kindergarten, Troika, transit, traffic, Wi-Fi and Open311: the fixed demo records and errors."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from cityservices.routers.wifi import haversine_m
from cityservices.services import traffic
from tests.unit.cityservices.support import API_KEY, MSK

KG = "/kindergarten/v1/applications"


def test_kindergarten_fixed_applications(client: TestClient) -> None:
    body = client.post(f"{KG}/4455123", json={"child_birth_date": "2021-06-01"},
                       headers=API_KEY).json()
    assert (body["status"], body["position"], body["total"]) == ("in_queue", 17, 230)
    assert body["kindergartens"] == ["1520"] and body["updated_at"]
    offered = client.post(f"{KG}/4455999", json={"child_birth_date": "2022-02-15"},
                          headers=API_KEY).json()
    assert offered["status"] == "offered" and offered["kindergartens"] == ["2077"]
    missing = client.post(f"{KG}/1234567", json={"child_birth_date": "2021-06-01"},
                          headers=API_KEY)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "application-not-found"
    bad = client.post(f"{KG}/12ab", json={"child_birth_date": "2021-06-01"}, headers=API_KEY)
    assert bad.status_code == 422


def test_kindergarten_status_needs_the_childs_birth_date(client: TestClient) -> None:
    """Issue 11: the status is not readable by number alone; a wrong date reads like an
    unknown number (no enumeration)."""
    assert client.get(f"{KG}/4455123", headers=API_KEY).status_code == 405
    assert client.post(f"{KG}/4455123", json={}, headers=API_KEY).status_code == 422
    wrong = client.post(f"{KG}/4455123", json={"child_birth_date": "2022-02-15"},
                        headers=API_KEY)
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "application-not-found"
    no_key = client.post(f"{KG}/4455123", json={"child_birth_date": "2021-06-01"})
    assert no_key.status_code == 401


def test_troika_fixed_cards(client: TestClient) -> None:
    card = client.get("/troika/v1/cards/0123456789", headers=API_KEY).json()
    assert card["balance_rub"] == 245 and card["last_topup_at"]
    assert client.get("/troika/v1/cards/9876543210", headers=API_KEY).json()["balance_rub"] == 12
    assert client.get("/troika/v1/cards/0000000000", headers=API_KEY).status_code == 404
    for bad in ("123", "01234567890", "abcdefghij"):
        assert client.get(f"/troika/v1/cards/{bad}", headers=API_KEY).status_code == 422


def test_troika_trips_need_the_owners_phone_digits(client: TestClient) -> None:
    """Issue 11: the balance stays readable by number; the trip history needs a second factor."""
    card = client.get("/troika/v1/cards/0123456789", headers=API_KEY).json()
    assert card["trips"] == []
    url = "/troika/v1/cards/0123456789/trips"
    trips = client.post(url, json={"phone_last4": "4567"}, headers=API_KEY).json()["trips"]
    assert len(trips) == 5 and {"at", "route", "fare_rub"} <= trips[0].keys()
    wrong = client.post(url, json={"phone_last4": "0000"}, headers=API_KEY)
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "card-not-found"
    assert client.post(url, json={"phone_last4": "45"}, headers=API_KEY).status_code == 422
    assert client.post(url, json={"phone_last4": "4567"}).status_code == 401


def test_stop_search_tolerates_case_and_inflection(client: TestClient) -> None:
    for q in (
        "пушкинской площади",
        "ПУШКИНСКАЯ ПЛОЩАДЬ",
        "Pushkinskaya square",
        "остановка на Пушкинской площади",
        "pushkinskaya",
    ):
        stops = client.get("/transit/v1/stops", params={"q": q}).json()["stops"]
        assert stops and stops[0]["name_ru"] == "Пушкинская площадь", q
    stop = client.get("/transit/v1/stops", params={"q": "пушкинская площадь"}).json()["stops"][0]
    assert stop["name_en"] == "Pushkinskaya Square"
    assert {"route": "144", "route_type": "bus"} in stop["routes"]
    assert {"route": "3", "route_type": "tram"} in stop["routes"]
    chistye = client.get("/transit/v1/stops", params={"q": "чистых прудов"}).json()["stops"]
    assert chistye[0]["id"] == "chistye_prudy"
    assert client.get("/transit/v1/stops", params={"q": "марс"}).json()["stops"] == []
    assert client.get("/transit/v1/stops").status_code == 422


def test_arrivals_from_feed_and_clock(client: TestClient) -> None:
    url = "/transit/v1/stops/pushkinskaya/arrivals"
    body = client.get(url, params={"route": "144", "limit": 3}).json()  # frozen Monday 07:30
    first = body["arrivals"][0]
    assert first["route"] == "144" and first["route_type"] == "bus"
    assert first["arrival_time"] == "2025-12-01T07:31:00+03:00" and first["minutes"] == 1
    assert first["headsign"] == "Белорусский вокзал"
    assert all(a["route"] == "144" for a in body["arrivals"])
    mixed = client.get(url, params={"limit": 10}).json()["arrivals"]
    assert {a["route"] for a in mixed} >= {"144", "3"}
    assert [a["arrival_time"] for a in mixed] == sorted(a["arrival_time"] for a in mixed)
    night = client.get(url, params={"at": "2025-12-02T03:00:00"}).json()["arrivals"]
    assert night and {a["route"] for a in night} == {"Н1"}
    late = client.get("/transit/v1/stops/smolenskaya/arrivals",  # route 6 ends at 23:00
                      params={"route": "6", "at": "2025-12-01T23:40:00"}).json()["arrivals"]
    assert late[0]["arrival_time"] == "2025-12-02T06:00:00+03:00"  # tomorrow's first run
    assert client.get("/transit/v1/stops/nowhere/arrivals").status_code == 404
    assert client.get("/transit/v1/stops/bad id!/arrivals").status_code == 422


def test_traffic_formula_is_deterministic() -> None:
    rush = datetime(2025, 12, 1, 8, 45, tzinfo=MSK)  # Monday morning peak
    assert traffic.level(rush, 1.1) == 9
    assert traffic.level(datetime(2025, 12, 7, 4, 0, tzinfo=MSK), 1.1) == 1  # Sunday night
    assert traffic.level(rush, 1.1) == traffic.level(rush, 1.1)
    friday = datetime(2025, 12, 5, 18, 30, tzinfo=MSK)
    assert traffic.raw_congestion(friday) > traffic.raw_congestion(friday.replace(day=4))


def test_traffic_endpoint(client: TestClient) -> None:
    roads = client.get("/traffic/v1/roads", params={"at": "2025-12-01T08:45:00"}).json()["roads"]
    assert len(roads) >= 10 and all(0 <= r["level"] <= 10 for r in roads)
    tver = client.get("/traffic/v1/roads", params={"q": "тверской улице"}).json()["roads"]
    assert [r["id"] for r in tver] == ["tverskaya"]
    assert tver[0]["at"].startswith("2025-12-01T07:30")  # frozen clock
    assert client.get("/traffic/v1/roads", params={"at": "yesterday"}).status_code == 422


def test_wifi_nearest(client: TestClient) -> None:
    body = client.get("/wifi/v1/hotspots/nearest", params={"lat": 55.7655, "lon": 37.6050})
    spots = body.json()["hotspots"]
    assert len(spots) == 3
    assert spots[0]["name_ru"] == "Пушкинская площадь" and spots[0]["ssid"] == "Moscow_WiFi_Free"
    assert spots[0]["distance_m"] == 0
    assert [s["distance_m"] for s in spots] == sorted(s["distance_m"] for s in spots)
    assert abs(haversine_m(55.0, 37.0, 56.0, 37.0) - 111_195) < 50
    bad = client.get("/wifi/v1/hotspots/nearest", params={"lat": 91, "lon": 37})
    assert bad.status_code == 422


def test_open311_fixed_requests(client: TestClient) -> None:
    services = client.get("/open311/v2/services.json").json()
    assert {"service_code", "service_name", "metadata", "type"} <= services[0].keys()
    [light] = client.get("/open311/v2/requests/1001.json").json()
    assert light["status"] == "open" and light["address"] == "Tverskaya St 7"
    assert light["service_code"] == "streetlight" and light["status_notes"]
    [hole] = client.get("/open311/v2/requests/1002.json").json()
    assert hole["status"] == "closed" and hole["status_notes"] == "Pothole repaired"
    assert hole["address"] == "Arbat St 12"
    assert client.get("/open311/v2/requests/999999.json").status_code == 404
    assert client.get("/open311/v2/requests/abc.json").status_code == 422


def test_open311_request_list_filters(client: TestClient) -> None:
    url = "/open311/v2/requests.json"

    def ids(**params: str) -> list[str]:
        answer = client.get(url, params=params)
        assert answer.status_code == 200, answer.text
        return [r["service_request_id"] for r in answer.json()]

    assert ids() == ["1001", "1002"]  # the last 90 days, newest first
    assert ids(status="closed") == ["1002"]
    assert ids(service_code="streetlight,garbage") == ["1001"]
    assert ids(service_request_id="1002,999") == ["1002"]
    assert ids(start_date="2025-11-25T00:00:00+03:00") == ["1001"]
    assert ids(end_date="2025-11-25T00:00:00") == ["1002"]  # no zone: city time
    for bad in ({"status": "pending"}, {"service_request_id": "1;DROP"},
                {"start_date": "yesterday"}, {"start_date": "0001-01-01T00:00:00"},
                {"end_date": "9999-12-31T23:59:59-05:00"},
                {"start_date": "2025-11-30T00:00:00", "end_date": "2025-11-01T00:00:00"}):
        answer = client.get(url, params=bad)
        assert answer.status_code == 422 and answer.json()["error"]["code"], bad


def test_open311_post_form_and_json(client: TestClient) -> None:
    url = "/open311/v2/requests.json"
    form = {
        "service_code": "pothole",
        "lat": "55.75",
        "long": "37.61",
        "description": "Яма",
        "api_key": "demo-city-key",
    }
    created = client.post(url, data=form)
    assert created.status_code == 200, created.text
    new_id = created.json()[0]["service_request_id"]
    assert int(new_id) > 1002
    [got] = client.get(f"/open311/v2/requests/{new_id}.json").json()
    assert got["status"] == "open" and got["description"] == "Яма"
    body = {"service_code": "garbage", "address_string": "ул. Покровка, 22"}
    as_json = client.post(url, json=body, headers=API_KEY)
    assert as_json.status_code == 200 and as_json.json()[0]["service_request_id"] != new_id


def test_open311_post_errors(client: TestClient) -> None:
    url = "/open311/v2/requests.json"
    ok = {"service_code": "pothole", "address_string": "Arbat St 1"}
    assert client.post(url, json=ok).json()["error"]["code"] == "api-key-missing"
    no_place = client.post(url, json={"service_code": "pothole"}, headers=API_KEY)
    assert no_place.status_code == 422 and no_place.json()["error"]["code"] == "location-required"
    unknown = client.post(url, json={**ok, "service_code": "ufo"}, headers=API_KEY)
    assert unknown.status_code == 422
    assert client.post(url, json={**ok, "lat": 55.7}, headers=API_KEY).status_code == 422
    assert client.post(url, json=[1, 2], headers=API_KEY).status_code == 422
    broken = client.post(
        url, content=b"{not json", headers={**API_KEY, "content-type": "application/json"}
    )
    assert broken.status_code == 422
    multipart = client.post(url, files={"f": b"x"}, headers=API_KEY)
    assert multipart.status_code == 415
