"""Schemathesis against the OpenAPI schema: positive and negative cases for every operation,
never a 5xx and always the JSON error shape.

Each case goes to the in-process app with a valid API key and patient token, so generated bodies
reach the handlers. Case counts land in test-artifacts/cityservices-fuzz-<mode>.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.unit.cityservices.support import identify

MAX_EXAMPLES = 25


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

    try:
        run()
    except Unsatisfiable:  # nothing to break: e.g. no parameters, so no negative cases
        counts["no-negative-space"] += 1


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(app: FastAPI, mode: GenerationMode) -> None:
    with TestClient(app) as client:
        auth = identify(client)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    counts: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
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
