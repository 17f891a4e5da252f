"""Audio devices through sounddevice, imported only when needed and never fatally.

PortAudio and ALSA talk on the process's stderr (probing cards at start,
"underrun occurred" while playing); that is the trainee's terminal, so their
chatter is sent to the log instead: stderr is redirected while PortAudio
starts, and ALSA's error handler is replaced for the life of the process.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from dataclasses import dataclass

from ..errors import SimulatorError

log = logging.getLogger("simulator.audio")
_lock = threading.Lock()
_module = None
_alsa_handler = None  # kept alive: ALSA calls it for as long as the process runs

# PortAudio's buffering for the microphone and the speaker: "low" or "high" (its suggested latencies) or
# seconds. bench_real_audio.py --latency, virtual card, end of speech -> customer audio: high p50 612 / p95 614 ms,
# low 600 / 607 ms (a stopped line quiet p95 42 -> 32 ms). Kept high: the callbacks are Python and need the GIL,
# and a buffer of a few milliseconds on a real card crackles whenever the recogniser or the window holds it.
STREAM_LATENCY: str | float = "high"


class NoAudio(SimulatorError):
    """No usable audio device or library: fall back to captions and typing."""


def sounddevice_module():
    """sounddevice, imported once, with PortAudio's start-up chatter in the log rather than on the screen."""
    global _module
    with _lock:
        if _module is None:
            _route_alsa_errors_to_log()
            try:
                with _stderr_to_log("PortAudio start"):
                    import sounddevice
            except OSError as exc:  # PortAudio missing: sounddevice raises OSError at import
                raise NoAudio(f"the audio library is not available ({exc})",
                              "install PortAudio (Debian: libportaudio2); until then replies are typed") from None
            _module = sounddevice
            from .owner import install_exit_guard
            install_exit_guard(sounddevice)
    return _module


class _stderr_to_log:
    """Point file descriptor 2 at a temporary file for a moment and log what was written there."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        self._saved = None
        try:
            sys.stderr.flush()
            self._file = tempfile.TemporaryFile()
            self._saved = os.dup(2)
            os.dup2(self._file.fileno(), 2)
        except (OSError, ValueError, AttributeError):  # no real stderr (a windowed app): nothing to hide
            self._saved = None

    def __exit__(self, *exc: object) -> None:
        if self._saved is None:
            return
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        for line in self._file.read().decode("utf-8", "replace").splitlines():
            if line.strip():
                log.debug("%s: %s", self.what, line)
        self._file.close()


def _route_alsa_errors_to_log() -> None:
    """ALSA prints through snd_lib_error; give it a handler that logs instead (Linux only)."""
    global _alsa_handler
    if not sys.platform.startswith("linux") or _alsa_handler is not None:
        return
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("asound")
    if not name:
        return
    try:
        alsa = ctypes.CDLL(name)
    except OSError:
        return
    # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...):
    # the variable part is left out; the format string says what happened.
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                    ctypes.c_char_p)

    def handler(file, line, function, err, fmt) -> None:  # noqa: ARG001
        log.debug("ALSA %s: %s (error %d)", (function or b"").decode(errors="replace"),
                  (fmt or b"").decode(errors="replace"), err)

    _alsa_handler = handler_type(handler)
    alsa.snd_lib_error_set_handler(_alsa_handler)


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool = False
    is_default_output: bool = False
    host: str = ""


def list_devices() -> list[Device]:
    sd = sounddevice_module()
    try:
        found = sd.query_devices()
        default_in, default_out = sd.default.device
        hosts = [h["name"] for h in sd.query_hostapis()]
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
        raise NoAudio(f"audio devices cannot be listed: {exc}", "check the sound system") from None
    return [Device(i, d["name"], d["max_input_channels"], d["max_output_channels"], d["default_samplerate"],
                   i == default_in, i == default_out, hosts[d["hostapi"]] if d["hostapi"] < len(hosts) else "")
            for i, d in enumerate(found)]


# ALSA's "pulse" and "default" devices are the sound server's, which routes them on to a real device of its choosing.
SERVER_DEVICES = ("pulse", "default", "pipewire")


def server_routes(timeout: float = 2.0) -> str | None:
    """Where the sound server sends "pulse"/"default" (its default speaker and microphone), or None if unknown."""
    import shutil
    import subprocess
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        info = subprocess.run([pactl, "info"], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line)
    sink, source = found.get("Default Sink"), found.get("Default Source")
    if not sink and not source:
        return None
    server = found.get("Server Name", "the sound server")
    return f"{server}: speaker {sink or 'none'}, microphone {source or 'none'}"


def default_input() -> Device:
    devices = [d for d in list_devices() if d.inputs > 0]
    if not devices:
        raise NoAudio("no microphone was found", "plug one in and restart, or type your replies")
    return next((d for d in devices if d.is_default_input), devices[0])


def default_output() -> Device:
    devices = [d for d in list_devices() if d.outputs > 0]
    if not devices:
        raise NoAudio("no speaker or headset was found", "the customer's lines will be shown as captions")
    return next((d for d in devices if d.is_default_output), devices[0])
