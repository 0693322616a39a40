"""`models pull` against a local HTTP server serving a zipped copy of the Korean test model."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli.model_download import DownloadError
from assistant.cli.models import ModelInstallError, ModelManager
from audio.asr import ModelRegistry
from tests.fixtures.audio.http_server import Served, serve_files

NAME = "vosk-model-small-ko-test"


@pytest.fixture(scope="module")
def model_zip(ko_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("zips") / f"{NAME}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(ko_model_path.rglob("*")):
            zf.write(path, f"{NAME}/{path.relative_to(ko_model_path)}")
    return archive


@pytest.fixture(scope="module")
def zip_sha(model_zip: Path) -> str:
    return hashlib.sha256(model_zip.read_bytes()).hexdigest()


@pytest.fixture
def server() -> Iterator[Served]:
    with serve_files() as served:
        yield served


def manager(models_dir: Path, served: Served, **kwargs: object) -> ModelManager:
    return ModelManager(
        models_dir, names={"ko": NAME}, base_url=served.base_url, progress=False, **kwargs  # type: ignore[arg-type]
    )


def no_leftovers(models_dir: Path) -> None:
    assert not [p for p in models_dir.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_pull_resumes_verifies_records_and_installs(
    tmp_path: Path, server: Served, model_zip: Path, zip_sha: str
) -> None:
    server.files[f"/{NAME}.zip"] = model_zip
    models_dir = tmp_path / "models"
    part = models_dir / ".downloads" / f"{NAME}.zip.part"
    part.parent.mkdir(parents=True)
    half = model_zip.stat().st_size // 2
    with model_zip.open("rb") as src:
        part.write_bytes(src.read(half))  # an interrupted earlier download

    path = manager(models_dir, server).pull("ko")

    assert server.requests == [(f"/{NAME}.zip", f"bytes={half}-", 206)]
    assert path == models_dir / NAME and (path / "am" / "final.mdl").is_file()
    assert not part.exists()
    no_leftovers(models_dir)
    lock = json.loads((models_dir / "models.lock.json").read_text())
    assert lock["archives"][f"{NAME}.zip"]["sha256"] == zip_sha
    listed = manager(models_dir, server).list_models()
    assert [(m.lang, m.name, m.sha256) for m in listed] == [("ko", NAME, zip_sha)]
    registry = ModelRegistry({"ko": path})
    assert registry.path_for("ko") == path.resolve()

    # installed: a second pull downloads nothing; a forced one is checked against the lock
    assert manager(models_dir, server).pull("ko") == path
    assert len(server.requests) == 1
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip, not the recorded archive
    server.files[f"/{NAME}.zip"] = tampered
    with pytest.raises(ModelInstallError, match=r"SHA-256 mismatch .* the lock file") as err:
        manager(models_dir, server).pull("ko", force=True)
    assert zip_sha in err.value.message
    assert (path / "am" / "final.mdl").is_file()  # the installed model is untouched
    assert not part.exists()


def test_hash_from_config_wins_and_a_mismatch_fails(
    tmp_path: Path, server: Served, model_zip: Path
) -> None:
    server.files[f"/{NAME}.zip"] = model_zip
    wrong = hashlib.sha256(b"some other archive").hexdigest()
    with pytest.raises(ModelInstallError, match=r"expected .* from config \(asr.sha256\)"):
        manager(tmp_path, server, sha256={"ko": wrong}).pull("ko")
    assert not (tmp_path / NAME).exists()
    assert not (tmp_path / "models.lock.json").exists()
    no_leftovers(tmp_path)


def test_a_corrupt_archive_is_refused_and_not_recorded(tmp_path: Path, server: Served) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file" * 100)
    server.files[f"/{NAME}.zip"] = junk
    models_dir = tmp_path / "models"
    with pytest.raises(ModelInstallError, match="not a valid zip archive"):
        manager(models_dir, server).pull("ko")
    assert not (models_dir / "models.lock.json").exists()
    assert not (models_dir / ".downloads" / f"{NAME}.zip.part").exists()


def test_http_errors_say_what_to_do(tmp_path: Path, server: Served) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        manager(tmp_path, server).pull("ko")
    offline = ModelManager(
        tmp_path, names={"ru": "m"}, base_url="http://127.0.0.1:9", progress=False
    )
    with pytest.raises(DownloadError, match="assistant models import PATH"):
        offline.pull("ru")
    with pytest.raises(ModelInstallError, match="no model is known for 'xx'"):
        offline.pull("xx")


def test_import_from_zip_and_folder(tmp_path: Path, model_zip: Path, ko_model_path: Path) -> None:
    mgr = ModelManager(tmp_path, names={"ko": NAME}, progress=False)
    from_zip = mgr.import_model(model_zip, "ko")
    assert (from_zip / "conf" / "model.conf").is_file()
    from_dir = mgr.import_model(ko_model_path, "ko")  # replaces the first one atomically
    assert from_dir == from_zip
    no_leftovers(tmp_path)
    assert [m.source for m in mgr.list_models()] == [str(ko_model_path.resolve())]


def test_import_refuses_what_is_not_a_model(tmp_path: Path) -> None:
    mgr = ModelManager(tmp_path / "models", progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelInstallError, match="not a Vosk model folder"):
        mgr.import_model(empty, "ru")
    fake = tmp_path / "fake.zip"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("fake/am/final.mdl", b"not a model")
        zf.writestr("fake/conf/model.conf", b"")
    with pytest.raises(ModelInstallError, match="Vosk cannot load the model"):
        mgr.import_model(fake, "ru")
    with pytest.raises(ModelInstallError, match="does not exist"):
        mgr.import_model(tmp_path / "nowhere", "ru")
