"""Every city route declares a pydantic response model, so /openapi.json describes every answer;
the models describe the wire exactly (no optional fields, no extra keys)."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from cityservices.schemas.common import Out
from cityservices.schemas.health import Appointment, RescheduledAppointment

# FastAPI's own pages are plain Starlette routes, not APIRoutes; nothing else is exempt.
FRAMEWORK_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
METRICS = "/metrics"  # Prometheus' text format for the scraper, not a JSON answer


def _api_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in _all_routes(app) if isinstance(r, APIRoute) and r.path != METRICS]


def _all_routes(app: FastAPI) -> list[Any]:
    """Every route, the included routers' ones too (FastAPI includes routers lazily, so
    ``app.routes`` alone holds only placeholders for them)."""
    return [context.original_route for context in iter_route_contexts(app.routes)]


def _model_of(response_model: Any) -> type[BaseModel] | None:
    """The pydantic model of ``Model`` or ``list[Model]`` (Open311 answers arrays)."""
    if typing.get_origin(response_model) is list:
        (response_model,) = typing.get_args(response_model)
    if isinstance(response_model, type) and issubclass(response_model, BaseModel):
        return response_model
    return None


def test_every_route_has_a_response_model(app: FastAPI) -> None:
    api_routes = _api_routes(app)
    others = {getattr(r, "path", "") for r in _all_routes(app) if not isinstance(r, APIRoute)}
    assert others <= FRAMEWORK_PATHS, others
    assert len(api_routes) >= 18
    missing = []
    for route in api_routes:
        model = _model_of(route.response_model)
        if model is None or not issubclass(model, Out):
            missing.append(f"{sorted(route.methods or ())} {route.path}: {route.response_model}")
    assert not missing, f"routes without a response model: {missing}"


def test_openapi_describes_every_success_answer(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    undescribed = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            ok = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
            assert len(ok) == 1, (method, path, ok)
            schema = next(iter(ok.values()))["content"]["application/json"]["schema"]
            schema = schema.get("items", schema)  # Open311: an array of objects
            ref = schema.get("$ref", "")
            name = ref.removeprefix("#/components/schemas/")
            if not ref or "properties" not in components.get(name, {}):
                undescribed.append(f"{method.upper()} {path}")
    assert not undescribed, undescribed


def test_models_have_no_optional_fields(app: FastAPI) -> None:
    """Absent and null differ on the wire: every field is always sent, so every one is required
    (a nullable one says so with ``| None``)."""
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            assert field.is_required(), f"{model.__name__}.{name} has a default"
            for arg in _types_in(field.annotation):
                walk(arg)

    for route in _api_routes(app):
        model = _model_of(route.response_model)
        assert model is not None, route.path
        walk(model)
    assert len(seen) >= 25


def _types_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _types_in(arg)]


def test_models_reject_undeclared_keys(client: TestClient, anna: dict[str, str]) -> None:
    """A key a service adds but the model lacks fails loudly instead of vanishing from the
    wire; ``replaces`` belongs to a reschedule answer only."""
    appointment = client.get("/health/v1/appointments", headers=anna).json()["appointments"][0]
    Appointment.model_validate(appointment)
    with pytest.raises(ValidationError):
        Appointment.model_validate({**appointment, "surprise": 1})
    with pytest.raises(ValidationError):
        Appointment.model_validate({**appointment, "replaces": {"reference": "Appointment/1"}})
    with pytest.raises(ValidationError):
        RescheduledAppointment.model_validate(appointment)
