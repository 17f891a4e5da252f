"""Shared helpers for the speech tests: real speech made with the product's own synthesis."""

from __future__ import annotations

from pathlib import Path

from simulator.speech.synthesis import Synthesizer, VoiceSettings, open_synthesizer
from simulator.speech.wav import Pcm, read_wav


def synthesizer() -> Synthesizer:
    synth, notice = open_synthesizer()  # the app's own, shared: pyttsx3 has one engine per process
    assert synth is not None, notice
    return synth


def speak(text: str, folder: Path, rate: int = 150, name: str = "speech.wav") -> Pcm:
    out = folder / name
    synthesizer().render(text, VoiceSettings(rate=rate), out).result(60)
    return read_wav(out)


def with_silence(pcm: Pcm, before: float = 0.5, after: float = 1.0) -> Pcm:
    pad = lambda s: bytes(int(pcm.rate * s) * 2)  # noqa: E731
    return Pcm(pad(before) + pcm.data + pad(after), pcm.rate)


# -- a virtual sound card ------------------------------------------------------------------
# PulseAudio in user mode with a null sink as the speaker and a pipe source as the
# microphone, seen by PortAudio through ALSA's pulse plugin (the "pulse" and "default"
# devices). The microphone is a FIFO that one writer keeps feeding in real time, silence
# included: with no data PulseAudio stops draining it and capture gets nothing.

import os  # noqa: E402
import sys  # noqa: E402
import queue  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from simulator.speech.wav import level, resample  # noqa: E402

CARD_RATE = 16_000
CARD_CHUNK_MS = 20
ALSA_PULSE_PLUGIN = "libasound_module_pcm_pulse.so"


class NoVirtualCard(Exception):
    """Why the virtual card cannot be set up here (the tests skip with this reason)."""


class VirtualCard:
    """A running PulseAudio with a speaker whose output is recorded and a microphone fed from here."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.socket = self.folder / "native"
        self.fifo = self.folder / "mic.fifo"
        self.env = {"PULSE_SERVER": f"unix:{self.socket}"}
        self._daemon: subprocess.Popen | None = None
        self._speech: queue.Queue = queue.Queue()
        self._feeding = threading.Event()
        self._feeder: threading.Thread | None = None
        self.spoken_until: list[float] = []  # when the last sample of each utterance went into the microphone
        self._recorder: subprocess.Popen | None = None
        self.heard: list[tuple[float, float]] = []  # (time read, level) of each 20 ms at the speaker
        self._samples: list[tuple[float, np.ndarray]] = []  # (time read, samples) of the same 20 ms

    # -- set up and tear down --------------------------------------------------------
    def start(self) -> VirtualCard:
        why = why_no_virtual_card()
        if why:
            raise NoVirtualCard(why)
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "pulse.pa"
        conf.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            "load-module module-null-sink sink_name=speaker rate=48000\n"
            f"load-module module-pipe-source source_name=mic file={self.fifo} format=s16le rate={CARD_RATE} "
            "channels=1\n"
            "set-default-sink speaker\nset-default-source mic\n")
        env = {**os.environ, "HOME": str(self.folder), "PULSE_RUNTIME_PATH": str(self.folder / "run"),
               "PULSE_STATE_PATH": str(self.folder / "state"), "XDG_CONFIG_HOME": str(self.folder / "config")}
        self._daemon = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(conf), "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "--disable-shm=yes", f"--log-target=file:{self.folder / 'pulse.log'}"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while not (self.socket.exists() and self.fifo.exists()):
            if self._daemon.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "pulse.log")
                tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
                self.close()
                raise NoVirtualCard(f"PulseAudio did not start: {tail.strip() or 'no log'}")
            time.sleep(0.05)
        self.resume_feeding()
        return self

    def close(self) -> None:
        self.stop_feeding()
        for proc in (self._recorder, self._daemon):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()
        self._recorder = self._daemon = None

    # -- the microphone ----------------------------------------------------------------
    def say(self, pcm: Pcm) -> None:
        """Speak into the microphone (after whatever is queued), in real time."""
        self._speech.put(resample(pcm, CARD_RATE).data)

    def resume_feeding(self) -> None:
        """The microphone delivers again (silence, and whatever is said)."""
        self._feeding.set()
        fd = os.open(self.fifo, os.O_WRONLY)
        step = CARD_RATE * CARD_CHUNK_MS // 1000 * 2

        def feed() -> None:
            current, pos = b"", 0
            next_at = time.monotonic()
            try:
                while self._feeding.is_set():
                    if pos >= len(current):
                        if current:
                            self.spoken_until.append(time.monotonic())
                        try:
                            current, pos = self._speech.get_nowait(), 0
                        except queue.Empty:
                            current, pos = b"", 0
                    chunk = current[pos:pos + step] if current else bytes(step)
                    pos += step
                    # Written once its 20 ms have been "said", as a microphone hears it: written at their start,
                    # the product had each reply's end 20 ms before it was over, and every latency read short.
                    next_at += CARD_CHUNK_MS / 1000
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    os.write(fd, chunk + bytes(step - len(chunk)))
            except OSError:
                pass  # the sound server went away
            finally:
                os.close(fd)
        self._feeder = threading.Thread(target=feed, name="virtual-microphone", daemon=True)
        self._feeder.start()

    def stop_feeding(self) -> None:
        """The microphone vanishes: nothing more is written, so the source delivers nothing."""
        self._feeding.clear()
        if self._feeder is not None:
            self._feeder.join(2)
            self._feeder = None

    # -- the speaker ------------------------------------------------------------------------
    def record(self) -> None:
        """Start listening to the speaker (its monitor), noting the time and level of every 20 ms."""
        self._recorder = subprocess.Popen(
            ["parec", "-d", "speaker.monitor", "--raw", "--format=s16le", f"--rate={CARD_RATE}", "--channels=1",
             "--latency-msec=10"], env={**os.environ, **self.env}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        step = CARD_RATE * CARD_CHUNK_MS // 1000 * 2

        def read() -> None:
            pipe = self._recorder.stdout
            while True:
                try:
                    chunk = pipe.read(step)
                except (ValueError, OSError):  # the card was closed under the read: listening is over
                    return
                if not chunk:
                    return
                now = time.monotonic()
                self.heard.append((now, level(chunk)))
                self._samples.append((now, np.frombuffer(chunk, dtype="<i2")))
        threading.Thread(target=read, name="virtual-speaker", daemon=True).start()

    def sound_after(self, at: float, threshold: float = 0.01, timeout: float = 10.0) -> float | None:
        """When the speaker first carried sound after `at` (None if not within `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, lv in list(self.heard):
                if t > at and lv > threshold:
                    return t
            time.sleep(0.01)
        return None

    def onset_after(self, at: float, threshold: float = 0.01, timeout: float = 10.0) -> float | None:
        """When the first sample louder than `threshold` reached the speaker after `at`, to the sample: the time
        its 20 ms was read, less the samples after it. `sound_after` is that 20 ms's read time (up to 20 ms later,
        and a chunk whose sound begins near its end may be too quiet on average to count)."""
        deadline = time.monotonic() + timeout
        step = 1 / CARD_RATE
        while time.monotonic() < deadline:
            for t, samples in list(self._samples):
                if t <= at:
                    continue
                loud = np.flatnonzero(np.abs(samples.astype(np.float32)) / 32768 > threshold)
                if loud.size:
                    return max(at, t - (len(samples) - loud[0]) * step)
            time.sleep(0.01)
        return None

    def loud_seconds(self, since: float, threshold: float = 0.01) -> float:
        return sum(CARD_CHUNK_MS / 1000 for t, lv in list(self.heard) if t > since and lv > threshold)


def _die_with_parent() -> None:
    """In the child: end with the test process, even when it is killed (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def why_no_virtual_card() -> str:
    """Empty if a virtual card can be made here, else what is missing and how to get it."""
    install = ("install pulseaudio, pulseaudio-utils and libasound2-plugins "
               "(scripts/setup.sh test does, as root on Debian)")
    if not sys.platform.startswith("linux"):
        return "the virtual sound card is made with PulseAudio on Linux"
    missing = [tool for tool in ("pulseaudio", "parec") if shutil.which(tool) is None]
    if missing:
        return f"no {' or '.join(missing)} here: {install}"
    plugin_dirs = [Path(p) for p in ("/usr/lib/x86_64-linux-gnu/alsa-lib", "/usr/lib/aarch64-linux-gnu/alsa-lib",
                                     "/usr/lib64/alsa-lib", "/usr/lib/alsa-lib")]
    if not any((d / ALSA_PULSE_PLUGIN).exists() for d in plugin_dirs):
        return f"ALSA's pulse plugin is missing, so PortAudio cannot see PulseAudio: {install}"
    return ""


def rms_pcm(seconds: float, rate: int = CARD_RATE) -> Pcm:
    """A steady tone, for checks that need sound but no words."""
    t = np.arange(int(seconds * rate)) / rate
    return Pcm((np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes(), rate)
