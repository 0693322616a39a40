"""`asr.sha256` and `asr.models_base_url` reach `assistant models pull|import`."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from assistant.cli.models import ModelInstallError, ModelManager
from assistant.cli.voice import _manager


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ASSISTANT_"):
            monkeypatch.delenv(name)


def test_the_manager_takes_mirror_and_pins_from_config(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    pin = "ab" * 32
    monkeypatch.setenv("ASSISTANT_ASR__MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_ASR__MODELS_BASE_URL", "http://mirror.local/vosk/")
    monkeypatch.setenv("ASSISTANT_ASR__SHA256__RU", pin.upper())
    manager = _manager(progress=False)
    assert manager.base_url == "http://mirror.local/vosk"
    assert manager.sha256 == {"ru": pin}  # the empty `en` pin means "use the lock file"
    assert _manager("http://other", progress=False).base_url == "http://other"


def test_a_pinned_zip_with_another_hash_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("m/am/final.mdl", b"x")
        zf.writestr("m/conf/model.conf", b"x")
    verified: list[Path] = []
    manager = ModelManager(tmp_path / "models", sha256={"ru": "0" * 64},
                           verify=verified.append, progress=False)
    with pytest.raises(ModelInstallError, match=r"asr\.sha256\.ru"):
        manager.import_model(archive, "ru")
    assert not verified and not (tmp_path / "models" / "vosk-model-small-ru-0.22").exists()
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    pinned = ModelManager(tmp_path / "models", sha256={"ru": digest}, verify=verified.append,
                          progress=False)
    assert pinned.import_model(archive, "ru").is_dir()
