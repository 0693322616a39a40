"""Issue 11, finding 1: the city API takes a key per client for mutations and for personal
records (Troika, kindergarten, identification, appointments); public reference data stays open."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityservices.settings import CitySettings
from tests.unit.cityservices.support import API_KEY, IVAN


def test_personal_records_need_a_key(client: TestClient, ivan: dict[str, str]) -> None:
    # (the kindergarten route declares its key itself, with the child's birth date)
    path = "/troika/v1/cards/0123456789"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get(path, headers=API_KEY).status_code == 200
    token_only = {"Authorization": ivan["Authorization"]}
    assert client.get("/health/v1/appointments", headers=token_only).status_code == 401
    assert client.get("/health/v1/appointments", headers=ivan).status_code == 200
    identify = client.post("/health/v1/patients/identify", json=IVAN)
    assert identify.status_code == 401
    assert client.get("/health/v1/specialties").status_code == 200  # public reference data


def test_another_clients_key_works_and_the_old_shared_one_does_not(
        settings: CitySettings) -> None:
    from cityservices.app import create_app

    mine = settings.model_copy(update={"api_key": "actions-only", "clients": {"ops": "ops-key"}})
    with TestClient(create_app(mine)) as http:
        path = "/troika/v1/cards/0123456789"
        assert http.get(path, headers={"X-API-Key": "ops-key"}).status_code == 200
        assert http.get(path, headers={"X-API-Key": "actions-only"}).status_code == 200
        assert http.get(path, headers=API_KEY).status_code == 401
