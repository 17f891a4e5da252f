"""A real Learning Record Store (Ralph) on 127.0.0.1 for the tests, run as an organisation runs it.

An organisation serves Ralph's app with uvicorn (`ralph runserver` is the
development server: it reloads whenever a file under the working folder
changes, and other work in this tree changes files all the time) over a
store that keeps every write. Ralph's own file backend keeps only the first:
it writes its one file in "create" mode, so every later batch fails with 500
"Statements bulk indexation failed" (`fs_lrs.jsonl already exists`). Its
database backends cannot run here (no MongoDB or Elasticsearch package; the
packaged ClickHouse predates the inserts Ralph makes). So the store is the
file backend in "append" mode, which its data backend offers, registered
the way Ralph loads any backend: an entry point in `ralph.backends.lrs`.
"""

from __future__ import annotations

import os
import shutil
import socket
import socketserver
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "lrs-tester", "a-long-test-password"
BACKEND = "fs_append"
BACKEND_MODULE = '''\
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


class AppendingFSLRSBackend(FSLRSBackend):
    """Ralph's file backend, keeping every batch in its one file instead of refusing all but the first."""

    default_operation_type = BaseOperationType.APPEND
'''


def ralph_binary() -> str | None:
    for candidate in (os.environ.get("SIMULATOR_TEST_RALPH"), str(REPO / ".venv-ralph" / "bin" / "ralph"),
                      shutil.which("ralph")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def ralph_python(binary: str) -> str:
    """The interpreter Ralph is installed for: beside its script, or the one its first line names."""
    beside = Path(binary).with_name("python")
    if beside.exists():
        return str(beside)
    return Path(binary).read_text(encoding="utf-8", errors="replace").splitlines()[0].removeprefix("#!").strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_backend(folder: Path) -> None:
    """The appending backend as an installed distribution would be: a module and its entry point."""
    (folder / "simulator_test_ralph.py").write_text(BACKEND_MODULE, encoding="utf-8")
    meta = folder / "simulator_test_ralph-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: simulator-test-ralph\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text(
        f"[ralph.backends.lrs]\n{BACKEND} = simulator_test_ralph:AppendingFSLRSBackend\n")


class Ralph:
    def __init__(self, binary: str, folder: Path) -> None:
        self.python = ralph_python(binary)
        self.app = folder / "app"
        self.data = folder / "data"
        plugins = folder / "plugins"
        for made in (self.app, self.data, plugins):
            made.mkdir(parents=True)
        install_backend(plugins)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI"
        self.statements_file = self.data / "fs_lrs.jsonl"
        self.env = {**os.environ, "RALPH_APP_DIR": str(self.app), "RALPH_RUNSERVER_BACKEND": BACKEND,
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
                    "PYTHONPATH": str(plugins)}
        self.proc: subprocess.Popen | None = None
        self.log = folder / "ralph.log"
        subprocess.run([binary, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:tester@example.org",
                        "-w"], env=self.env, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.python, "-m", "uvicorn", "ralph.api:app", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, cwd=self.app, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Ralph did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


class TricklingLrs:
    """An "LRS" that answers one byte every `every` seconds: a timeout per socket read never trips on it.

    Bounded: it stops trickling when the test ends or the answer is out, whichever comes first.
    """

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.requests = 0
        self.stopping = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.requests += 1
                self.request.settimeout(5)
                try:
                    self.request.recv(65536)  # the request's start is enough: the answer is the point
                    for byte in outer.ANSWER:
                        if outer.stopping.wait(outer.every):
                            return
                        self.request.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up, as it should

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TricklingLrs:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
