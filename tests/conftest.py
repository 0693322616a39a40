"""Test tiers, the session's one stack, free ports. See tests/README.md.

Markers (set here by directory, so a new file cannot forget them; explicit marks add to them):

- `stack`: boots a process (a server, the stack, a CLI in a subprocess, espeak-ng), starts a
  server thread or loads a Vosk model. Everything in tests/integration and tests/e2e, and the
  unit tests listed in PROCESS_TESTS. The fast tier is `pytest -m "not stack"`: no process, no
  model, under a minute on 2 cores. A test outside this marker that starts a process fails
  (the audit hook below), so the fast tier stays honest.
- `rasa`: needs the dialogue-engine environment (.venv-rasa) and the trained Rasa model, i.e.
  the shared stack. tests/integration/dialogue, tests/integration/load, tests/integration/scale (a
  scaled stack of its own) and tests/e2e. `rasa`
  implies `stack`.

`pytest` with no `-m` runs every tier; that is what `./manage.sh test` and CI run.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.stack import RunningStack, SessionStack

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

TESTS = Path(__file__).resolve().parent
STACK_DIRS = ("integration", "e2e")
RASA_DIRS = ("integration/dialogue", "integration/load", "integration/scale", "e2e")
# unit tests that start real processes on purpose (the supervisor's process-group handling)
# unit tests that start real child processes or a real server on a socket (uvicorn in a thread)
PROCESS_TESTS = ("unit/assistant/test_supervisor.py", "unit/assistant/test_gateway_server.py",
                 "unit/channels/test_admission.py", "unit/actions/test_city_truth.py")
STOPS_STACK = "stops_stack"  # the marker of the test that presses Ctrl-C on the shared stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def port() -> int:
    return free_port()


# -- tiers ------------------------------------------------------------------------------------
def _under(item: pytest.Item, prefixes: tuple[str, ...]) -> bool:
    try:
        rel = Path(str(item.path)).resolve().relative_to(TESTS).as_posix()
    except ValueError:
        return False
    return any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in prefixes)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _under(item, RASA_DIRS):
            item.add_marker(pytest.mark.rasa)
        heavy = item.get_closest_marker("rasa") or item.get_closest_marker("fuzz")
        if _under(item, STACK_DIRS + PROCESS_TESTS) or heavy:
            item.add_marker(pytest.mark.stack)
    # The Ctrl-C test stops the shared stack: it runs right after the stack's last other user.
    stoppers = [i for i in items if i.get_closest_marker(STOPS_STACK)]
    if stoppers:
        rest = [i for i in items if not i.get_closest_marker(STOPS_STACK)]
        users = [n for n, i in enumerate(rest) if "running_stack" in getattr(i, "fixturenames", ())]
        at = users[-1] + 1 if users else len(rest)
        items[:] = rest[:at] + stoppers + rest[at:]


# A fast-tier test must not start a process: it would be slow and would need what the fast tier
# promises not to need. Checked at run time for every test not marked `stack`.
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.fork", "os.forkpty",
                   "os.exec", "os.spawn"}
_guard = {"on": False, "test": ""}


# ctypes.util.find_library asks these (e.g. importing sounddevice): a lookup, not a service
_LOOKUPS = {"ldconfig", "gcc", "cc", "ld", "objdump", "uname"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _guard["on"] and event in _PROCESS_EVENTS:
        program = args[0] if args and isinstance(args[0], (str, bytes, os.PathLike)) else ""
        if os.path.basename(os.fsdecode(program)) in _LOOKUPS:
            return
        _guard["on"] = False  # report once, and let pytest's own machinery run
        raise RuntimeError(f"{_guard['test']} starts a process ({event} {args[:2]!r}) but is "
                           "not marked `stack`: mark it, or use a fake (see tests/README.md)")


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    _guard["on"] = item.get_closest_marker("stack") is None
    _guard["test"] = item.nodeid
    try:
        return (yield)
    finally:
        _guard["on"] = False


# -- the session's stack ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def _session_stack() -> Iterator[SessionStack]:
    shared = SessionStack(free_port)
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture
def running_stack(_session_stack: SessionStack) -> RunningStack:
    """`assistant up --chat` on free ports, one per session, started on first use."""
    return _session_stack.get()
