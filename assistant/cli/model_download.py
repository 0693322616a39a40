"""Resumable HTTP download into a `.part` file, with a rich progress bar on stderr."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

log = logging.getLogger(__name__)

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(Exception):
    """The model archive could not be fetched; `message` says why, for the operator."""

    code = "asr-model-download"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def download(url: str, part: Path, show_progress: bool = True, timeout: float = 30.0) -> None:
    """Fetch `url` into `part`, continuing from its current size with a Range request.

    A server that ignores Range (200) restarts the file; 416 means the file is already complete.
    """
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.stream(
            "GET", url, headers=headers, timeout=timeout, follow_redirects=True
        ) as resp:
            if resp.status_code == 416 and have:
                log.info("%s: already complete (%d bytes)", part.name, have)
                return
            offset, total = _plan(resp, have, url)
            _write(resp, part, offset, total, show_progress)
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"cannot download {url} ({type(exc).__name__}: {exc}); the partial file is kept and "
            "the next pull resumes it. Offline? Copy the zip here and run "
            "`assistant models import PATH --lang LANG`"
        ) from exc


def _plan(resp: httpx.Response, have: int, url: str) -> tuple[int, int | None]:
    """(offset to write from, total size or None) for this response."""
    if resp.status_code == 206:
        match = _CONTENT_RANGE.match(resp.headers.get("content-range", ""))
        if match is None or int(match.group(1)) != have:
            raise DownloadError(f"{url}: the server answered a resume with a wrong range")
        total = None if match.group(3) == "*" else int(match.group(3))
        log.info("resuming %s at byte %d", url, have)
        return have, total
    if resp.status_code == 200:
        length = resp.headers.get("content-length")
        return 0, int(length) if length else None
    raise DownloadError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}")


def _write(
    resp: httpx.Response, part: Path, offset: int, total: int | None, show_progress: bool
) -> None:
    mode = "ab" if offset else "wb"
    with _progress(show_progress) as progress, part.open(mode) as handle:
        task = progress.add_task(part.name.removesuffix(".part"), total=total, completed=offset)
        for block in resp.iter_bytes(1 << 20):
            handle.write(block)
            progress.update(task, advance=len(block))
    size = part.stat().st_size
    if total is not None and size != total:
        raise DownloadError(f"download of {part.name} stopped at {size} of {total} bytes")
