"""Shared fixtures: free ports and a clean environment for every process a test starts."""

from __future__ import annotations

import os
import socket

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def port() -> int:
    return free_port()
