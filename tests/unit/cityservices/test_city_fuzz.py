"""Schemathesis against the OpenAPI schema: positive and negative cases for every operation,
never a 5xx, always the JSON error shape, and every success answer valid against its documented
response model.

Each case goes to the in-process app with a valid API key and patient token, so generated bodies
reach the handlers. Case counts land in test-artifacts/cityservices-fuzz-<mode>.json.

Marked ``fuzz``. The fast tier runs a few examples per operation and mode (a few seconds); set
``CITY_FUZZ_EXAMPLES`` for a deeper run, e.g. ``CITY_FUZZ_EXAMPLES=100 pytest -m fuzz``."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from cityservices.app import create_app
from cityservices.deps import get_now
from tests.unit.cityservices.support import NOW, identify, make_settings

MAX_EXAMPLES = int(os.environ.get("CITY_FUZZ_EXAMPLES", "4"))
pytestmark = pytest.mark.fuzz


def _fuzz_operation(
    op: schemathesis.APIOperation, mode: GenerationMode, auth: dict[str, str], counts: Counter[str]
) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        generated = case.headers or {}
        # positive cases carry valid credentials; negative ones may send broken ones
        headers = {**generated, **auth} if mode.is_positive else {**auth, **generated}
        response = case.call(headers=headers)
        counts[str(response.status_code)] += 1
        label = f"{case.method} {case.formatted_path} {case.query} {case.body!r}"
        assert response.status_code < 500, (label, response.text)
        if response.status_code >= 400:
            assert set(response.json()["error"]) >= {"code", "message"}, label
        else:  # the answer matches its response model in the OpenAPI schema
            case.validate_response(response, checks=[response_schema_conformance])
            counts["schema-checked"] += 1

    try:
        run()
    except Unsatisfiable:  # nothing to break: e.g. no parameters, so no negative cases
        counts["no-negative-space"] += 1


Target = tuple[list[Any], dict[str, str]]  # the operations, the auth headers


@pytest.fixture(scope="module")
def target(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One app, database and loaded schema for both modes: loading costs more than a mode."""
    tmp = tmp_path_factory.mktemp("city-fuzz")
    shutil.copy(template_db, tmp / "city.db")
    app = create_app(make_settings(tmp))
    app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(app) as client:
        auth = identify(client)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        yield [result.ok() for result in schema.get_all_operations()], auth


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(target: Target, mode: GenerationMode) -> None:
    operations, auth = target
    counts: Counter[str] = Counter()
    assert len(operations) >= 18
    for op in operations:
        _fuzz_operation(op, mode, auth, counts)
    cases = sum(v for k, v in counts.items() if k.isdigit())
    report = {
        "mode": str(mode),
        "operations": len(operations),
        "cases": cases,
        "per_status": dict(sorted(counts.items())),
    }
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / f"cityservices-fuzz-{mode}.json").write_text(json.dumps(report, indent=2))
    print(f"\ncityservices fuzz: {report}")
    assert "500" not in counts
    if mode.is_positive:
        assert counts["schema-checked"] >= len(operations), "too few valid answers to check"
