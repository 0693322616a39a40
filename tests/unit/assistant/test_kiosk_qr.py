"""The kiosk's QR codes: the SVG the page shows draws exactly the reference's QR code, and the
route that serves it wants the device token and refuses anything that is not a reference."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import segno
from fastapi.testclient import TestClient

from assistant.gateway.app import create_app
from assistant.gateway.qr import BORDER, qr_data_uri, qr_matrix, valid_reference
from assistant.settings import Settings
from tests.conftest import free_port
from tests.fixtures.qr_svg import svg_modules

TOKEN = "kiosk-qr-test-token"


@pytest.mark.parametrize("reference", ["A000123", "A004711", "APPT-2026/17.b"])
def test_the_svg_draws_the_references_qr_code(reference: str) -> None:
    drawn = svg_modules(qr_data_uri(reference))
    assert drawn == qr_matrix(reference)
    own = segno.make_qr(reference, error="m")  # segno's own encoding of the same text
    inner = [row[BORDER:-BORDER] for row in drawn[BORDER:-BORDER]]
    assert inner == [[bool(c) for c in row] for row in own.matrix]
    assert drawn != svg_modules(qr_data_uri(reference + "1"))


@pytest.mark.parametrize("text", ["", "a b", "<svg>", "x" * 33, "-A1", "A\n1", "А000123"])
def test_only_references_are_encoded(text: str) -> None:
    assert not valid_reference(text)
    with pytest.raises(ValueError, match="not a booking reference"):
        qr_data_uri(text)


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(ports={"rasa": free_port()},
                        channels={"voice_tokens": [TOKEN]})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_route_wants_the_device_token(client: TestClient) -> None:
    assert client.get("/kiosk/qr", params={"text": "A000123"}).status_code == 403
    assert client.get("/kiosk/qr", params={"text": "A000123", "token": "nope"}).status_code == 403
    answer = client.get("/kiosk/qr", params={"text": "A000123"},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.json() == {"text": "A000123", "data_uri": qr_data_uri("A000123")}
    assert client.get("/kiosk/qr", params={"text": "A000123", "token": TOKEN}).status_code == 200


def test_the_route_refuses_text_that_is_no_reference(client: TestClient) -> None:
    answer = client.get("/kiosk/qr", params={"text": "http://evil.example/"},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 422
