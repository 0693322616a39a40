"""Vosk model manager: pull the official small models, import one offline, list what is installed.

`pull(lang)`:
1. streams `<base_url>/<name>.zip` into `<models_dir>/.downloads/<name>.zip.part` with a progress
   bar, resuming a partial file with an HTTP Range request;
2. checks the archive's SHA-256 against config (`asr.sha256.<lang>`) when set, otherwise against
   the lock file (`<models_dir>/models.lock.json`), where the first download records it. No hash
   is ever made up: with neither, the first download is trusted and recorded;
3. checks the zip's integrity (`ZipFile.testzip`), unpacks it into a temporary folder beside the
   target, checks that Vosk loads it (in a child process), and moves it into place with
   `os.replace`, so a half-unpacked model is never visible.
`import_model(path, lang)` does step 3 for a folder or zip already on disk (a zip is checked
against `asr.sha256.<lang>` when set).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.cli.model_download import download
from audio.asr import looks_like_model

log = logging.getLogger(__name__)

OFFICIAL_MODELS = {"ru": "vosk-model-small-ru-0.22", "en": "vosk-model-small-en-us-0.15"}
DEFAULT_BASE_URL = "https://alphacephei.com/vosk/models"
LOCK_NAME = "models.lock.json"


class ModelInstallError(Exception):
    """A model could not be installed; `message` says why, for the operator."""

    code = "asr-model-install"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    lang: str | None
    size_bytes: int
    sha256: str | None
    source: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verify_loads(path: Path) -> None:
    """Load the model with Vosk in a child process (a broken model cannot take us down)."""
    code = "import sys, vosk; vosk.SetLogLevel(-1); vosk.Model(sys.argv[1])"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelInstallError(f"Vosk cannot load the model in {path}: {' | '.join(tail)}")


class ModelManager:
    def __init__(
        self,
        models_dir: str | Path,
        names: Mapping[str, str] | None = None,
        base_url: str = DEFAULT_BASE_URL,
        sha256: Mapping[str, str] | None = None,
        verify: Callable[[Path], None] = verify_loads,
        progress: bool = True,
    ) -> None:
        self.models_dir = Path(models_dir)
        self.names = dict(OFFICIAL_MODELS if names is None else names)
        self.base_url = base_url.rstrip("/")
        self.sha256 = {k: v.lower() for k, v in (sha256 or {}).items() if v}
        self.verify = verify
        self.progress = progress
        self.lock_path = self.models_dir / LOCK_NAME

    def name_for(self, lang: str) -> str:
        name = self.names.get(lang)
        if name is None:
            known = ", ".join(sorted(self.names)) or "none"
            raise ModelInstallError(f"no model is known for '{lang}' (known: {known})")
        return name

    # --- pull ------------------------------------------------------------------------------

    def pull(self, lang: str, force: bool = False) -> Path:
        name = self.name_for(lang)
        target = self.models_dir / name
        if looks_like_model(target) and not force:
            log.info("%s is already installed at %s", name, target)
            return target
        archive = f"{name}.zip"
        url = f"{self.base_url}/{archive}"
        part = self.models_dir / ".downloads" / f"{archive}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        download(url, part, show_progress=self.progress)
        digest = self._check_hash(lang, archive, part)
        path = self._install_zip(part, name)
        self._record(archive, name, lang, digest, url)
        part.unlink(missing_ok=True)
        return path

    def _check_hash(self, lang: str, archive: str, part: Path) -> str:
        digest = sha256_of(part)
        expected = self.sha256.get(lang)
        origin = "config (asr.sha256)"
        if expected is None:
            expected = self._lock().get("archives", {}).get(archive, {}).get("sha256")
            origin = f"the lock file {self.lock_path}"
        if expected is not None and digest != expected:
            part.unlink(missing_ok=True)
            raise ModelInstallError(
                f"SHA-256 mismatch for {archive}: got {digest}, expected {expected} from "
                f"{origin}; the download was deleted. If the model was deliberately updated, "
                "remove its entry from the lock file and pull again"
            )
        if expected is None:
            log.warning("no known SHA-256 for %s; recording %s (first download)", archive, digest)
        return digest

    # --- import ----------------------------------------------------------------------------

    def import_model(self, source: str | Path, lang: str) -> Path:
        """Install a model from a folder or a zip, after checking that Vosk loads it."""
        src = Path(source).expanduser()
        if not src.exists():
            raise ModelInstallError(f"{src} does not exist: give a model folder or a .zip")
        name = self.names.get(lang) or f"vosk-model-{lang}"
        if src.is_dir():
            if not looks_like_model(src):
                raise ModelInstallError(f"{src} is not a Vosk model folder (no am/ and conf/)")
            staging = self._staging(name)
            shutil.copytree(src, staging / name)
            path = self._install_tree(staging, name)
            digest = None
        else:
            digest = sha256_of(src)
            expected = self.sha256.get(lang)
            if expected is not None and digest != expected:
                raise ModelInstallError(
                    f"SHA-256 mismatch for {src.name}: got {digest}, expected {expected} from "
                    f"config (asr.sha256.{lang}); nothing was installed"
                )
            path = self._install_zip(src, name)
        self._record(None, name, lang, digest, str(src.resolve()))
        self.names.setdefault(lang, name)
        return path

    # --- unpacking and installing ----------------------------------------------------------

    def _staging(self, name: str) -> Path:
        staging = self.models_dir / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        return staging

    def _install_zip(self, archive: Path, name: str) -> Path:
        try:
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise ModelInstallError(f"{archive.name} is corrupt: CRC error in {bad}")
                staging = self._staging(name)
                root = staging.resolve()
                for member in zf.namelist():
                    if not (root / member).resolve().is_relative_to(root):
                        raise ModelInstallError(f"{archive.name} has an unsafe path: {member}")
                zf.extractall(staging)
        except zipfile.BadZipFile as exc:
            if archive.suffix == ".part":  # a broken download is not worth resuming
                archive.unlink(missing_ok=True)
            raise ModelInstallError(f"{archive.name} is not a valid zip archive ({exc})") from exc
        return self._install_tree(staging, name)

    def _install_tree(self, staging: Path, name: str) -> Path:
        try:
            root = _model_root(staging)
            self.verify(root)
            target = self.models_dir / name
            old = self.models_dir / f".old-{name}-{uuid.uuid4().hex[:8]}"
            if target.exists():
                os.replace(target, old)
            os.replace(root, target)
            shutil.rmtree(old, ignore_errors=True)
            log.info("installed %s at %s", name, target)
            return target
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # --- the lock file and the listing -------------------------------------------------------

    def _lock(self) -> dict[str, Any]:
        if not self.lock_path.exists():
            return {"version": 1, "archives": {}, "installed": {}}
        try:
            data: dict[str, Any] = json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelInstallError(f"the lock file {self.lock_path} is unreadable: {exc}") from exc
        data.setdefault("archives", {})
        data.setdefault("installed", {})
        return data

    def _record(
        self, archive: str | None, name: str, lang: str, digest: str | None, source: str
    ) -> None:
        lock = self._lock()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if archive is not None and digest is not None:
            lock["archives"].setdefault(archive, {"sha256": digest, "url": source, "recorded": now})
        lock["installed"][name] = {"lang": lang, "source": source, "sha256": digest, "at": now}
        tmp = self.lock_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.lock_path)

    def list_models(self) -> list[InstalledModel]:
        if not self.models_dir.is_dir():
            return []
        installed = self._lock().get("installed", {})
        by_name = {v: k for k, v in self.names.items()}
        models = []
        for path in sorted(self.models_dir.iterdir()):
            if path.name.startswith(".") or not looks_like_model(path):
                continue
            info = installed.get(path.name, {})
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            models.append(InstalledModel(
                name=path.name, path=path, lang=info.get("lang") or by_name.get(path.name),
                size_bytes=size, sha256=info.get("sha256"), source=info.get("source"),
            ))
        return models


def _model_root(staging: Path) -> Path:
    """The folder inside `staging` that holds am/ and conf/ (zips usually wrap it in a folder)."""
    if looks_like_model(staging):
        inner = staging / ".model"
        inner.mkdir()
        for child in list(staging.iterdir()):
            if child != inner:
                os.replace(child, inner / child.name)
        return inner
    candidates = [p for p in staging.iterdir() if p.is_dir() and looks_like_model(p)]
    if len(candidates) != 1:
        raise ModelInstallError("the archive holds no Vosk model (a folder with am/ and conf/)")
    return candidates[0]
