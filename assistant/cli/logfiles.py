"""The children's log files: appended, rotated by size, never truncated.

A child that writes to a file it was given as stdout cannot be rotated while it runs: renaming the
file leaves the child writing to the renamed one, and truncating it (logrotate's copytruncate)
loses what was written between the copy and the truncation. So a child writes into a pipe, and a
pump thread of the supervisor appends each line to `<name>.log` and rotates it at a line boundary
once it passes `max_bytes` (`<name>.log.1` ... `<name>.log.<backups>`, the oldest dropped). The
file is opened in append mode, so a restarted child (or a restarted `assistant up`) continues it.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

LINE_LIMIT = 64 * 1024  # a longer "line" is written in pieces


@dataclass(frozen=True)
class Rotation:
    max_bytes: int = 10 * 1024 * 1024
    backups: int = 5


def rotate(path: Path, backups: int) -> None:
    """`path` -> `path.1` -> ... -> `path.<backups>`; the oldest is dropped, nothing truncated."""
    if not path.exists():
        return
    if backups < 1:
        path.unlink()
        return
    for n in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))


class LogPump:
    """Copies a child's output (the read end of its stdout pipe) into its rotated log file."""

    def __init__(self, read_fd: int, path: Path, rotation: Rotation) -> None:
        self.path = path
        self.rotation = rotation
        self._source = os.fdopen(read_fd, "rb")
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"log-{path.stem}")

    def start(self) -> LogPump:
        self._thread.start()
        return self

    def join(self, timeout_s: float) -> None:
        """Wait until the child's output ended (EOF: every writer of the pipe is gone)."""
        self._thread.join(timeout_s)

    def _open(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return open(self.path, "ab")  # closed in _run

    def _run(self) -> None:
        out = self._open()
        try:
            reader = self._source
            while line := _readline(reader):
                if out.tell() + len(line) > self.rotation.max_bytes and out.tell() > 0:
                    out.close()
                    rotate(self.path, self.rotation.backups)
                    out = self._open()
                try:
                    out.write(line)
                    out.flush()
                except OSError:
                    log.exception("cannot write %s; its output is dropped meanwhile", self.path)
        finally:
            out.close()
            self._source.close()


def _readline(reader: BinaryIO) -> bytes:
    try:
        return reader.readline(LINE_LIMIT)
    except OSError:
        return b""
