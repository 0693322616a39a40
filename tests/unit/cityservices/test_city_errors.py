"""One JSON error shape everywhere, and the API key on every mutating route."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityservices.text import mask, query_stems, stem


def test_unknown_path_and_method_are_json(client: TestClient) -> None:
    missing = client.get("/no/such/path")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"
    wrong = client.put("/healthz")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method-not-allowed"


def test_validation_errors_are_json(client: TestClient) -> None:
    resp = client.get("/wifi/v1/hotspots/nearest", params={"lat": "north"})
    err = resp.json()["error"]
    assert resp.status_code == 422 and err["code"] == "validation-error"
    assert err["message"] and err["details"][0]["loc"]
    broken = client.post(
        "/health/v1/patients/identify",
        content=b"{",
        headers={"X-API-Key": "demo-city-key", "content-type": "application/json"},
    )
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "validation-error"


def test_every_mutating_route_needs_the_api_key(app: FastAPI, client: TestClient) -> None:
    mutating = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(mutating) >= 5
    for method, path in mutating:
        url = path.replace("{appointment_id}", "1")
        resp = client.request(method, url, json={"slot_id": "x", "service_code": "pothole"})
        assert resp.status_code == 401, (method, path, resp.text)
        assert resp.json()["error"]["code"] == "api-key-missing"


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_text_helpers() -> None:
    assert stem("пушкинской") == "пушкинск" and stem("площади") == "площад"
    assert query_stems("Остановка на Пушкинской площади") == ["пушкинск", "площад"]
    assert mask("7712345678901234") == "************1234" and mask("12") == "**"
