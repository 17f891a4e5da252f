"""A real Learning Record Store (Ralph, file backend) on 127.0.0.1 for the tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "lrs-tester", "a-long-test-password"


def ralph_binary() -> str | None:
    for candidate in (os.environ.get("SIMULATOR_TEST_RALPH"), str(REPO / ".venv-ralph" / "bin" / "ralph"),
                      shutil.which("ralph")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    def __init__(self, binary: str, folder: Path) -> None:
        self.binary = binary
        self.app = folder / "app"
        self.data = folder / "data"
        self.app.mkdir(parents=True)
        self.data.mkdir(parents=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI"
        self.env = {**os.environ, "RALPH_APP_DIR": str(self.app), "RALPH_RUNSERVER_BACKEND": "fs"}
        self.proc: subprocess.Popen | None = None
        self.log = folder / "ralph.log"
        subprocess.run([binary, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:tester@example.org",
                        "-w"], env=self.env, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "runserver", "-b", "fs", "--fs-default-directory-path", str(self.data),
                 "-h", "127.0.0.1", "-p", str(self.port)], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
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
