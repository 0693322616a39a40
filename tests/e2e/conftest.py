"""The e2e tests' `stack`: the session's shared `assistant up` (tests/fixtures/stack.py)."""

from __future__ import annotations

import pytest

from tests.fixtures.stack import RunningStack


@pytest.fixture
def stack(running_stack: RunningStack) -> RunningStack:
    return running_stack
