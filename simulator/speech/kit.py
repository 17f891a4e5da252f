"""Everything a voice session needs, opened once in the background: the
synthesizer with its line cache, the recogniser, and the sound devices.

Each part that cannot be had leaves a notice and a fallback (captions for
a missing voice, typing for a missing microphone), never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .devices import NoAudio
from .recognition import Engine, SphinxEngine
from .synthesis import LineCache, Synthesizer

Progress = Callable[[int, str], None]  # percent done, what is happening


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


class AudioDevices:
    """The machine's sound devices. Tests hand the app file-backed ones instead."""

    def microphone(self, device: str | None = None):
        """A microphone, or NoAudio with what to do."""
        from .capture import SoundDeviceMicrophone
        return SoundDeviceMicrophone(_device(device))

    def speaker(self, device: str | None = None):
        from .devices import default_output
        from .playback import SoundDeviceSpeaker
        if device is None:
            default_output()
        return SoundDeviceSpeaker(_device(device))

    def names(self) -> tuple[list[str], list[str]]:
        """Microphone and speaker names, for the settings (empty when there is no sound system)."""
        from .devices import list_devices
        try:
            devices = list_devices()
        except NoAudio:
            return [], []
        return [d.name for d in devices if d.inputs], [d.name for d in devices if d.outputs]


@dataclass
class SpeechKit:
    synthesizer: Synthesizer | None = None
    cache: LineCache | None = None
    recognizer: Engine | None = None
    recognizer_name: str = ""
    notices: list[str] = field(default_factory=list)
    hearing_notices: list[str] = field(default_factory=list)  # about recognition: for someone with a microphone


def load_speech(cache_folder: Path, recogniser: str = "auto", model: str | None = None,
                progress: Progress | None = None, accent: str = "auto") -> SpeechKit:
    """Open synthesis and recognition; slow (a Vosk model takes seconds), so call it off the GUI thread."""
    from .recognition import open_recognizer
    from .synthesis import open_synthesizer
    report = progress or (lambda percent, text: None)
    kit = SpeechKit()
    report(5, "Starting the customer's voice…")
    kit.synthesizer, notice = open_synthesizer()
    if notice:
        kit.notices.append(notice)
    kit.cache = LineCache(cache_folder, kit.synthesizer)
    report(35, "Loading speech recognition…")
    try:
        rec = open_recognizer(_model_dir(model), None if recogniser == "auto" else recogniser, accent=accent)
        kit.recognizer, kit.recognizer_name = rec.engine, rec.engine.name
        if isinstance(rec.engine, SphinxEngine):
            report(60, "Preparing the recogniser…")
            from .childengine import ChildProcessEngine
            # PocketSphinx holds the GIL: keep it out of the app's process
            kit.recognizer = ChildProcessEngine(accent=rec.engine.accent)
        if rec.notice:
            kit.hearing_notices.append(rec.notice)
    except Exception as exc:  # noqa: BLE001 - a broken model must not stop typed practice
        kit.hearing_notices.append(f"Speech recognition could not start ({getattr(exc, 'message', exc)}); "
                           "type your replies, or choose another recogniser in Settings.")
    report(100, "Ready")
    return kit


def _model_dir(name: str | None) -> Path | None:
    if not name:
        return None
    from .models import installed_models
    return next((m.path for m in installed_models() if m.name == name), None)


class FileDevices(AudioDevices):
    """Stand-in devices for tests, benchmarks and screenshots: a file-backed microphone and speaker.

    `microphone` is None to act as a machine with no microphone.
    """

    def __init__(self, microphone=None, speaker=None) -> None:
        from .playback import FileSpeaker
        self._microphone = microphone
        self._speaker = speaker if speaker is not None else FileSpeaker(speed=0)

    def microphone(self, device: str | None = None):  # noqa: ARG002
        if self._microphone is None:
            raise NoAudio("no microphone was found", "plug one in, or type your replies")
        return self._microphone

    def speaker(self, device: str | None = None):  # noqa: ARG002
        return self._speaker

    def names(self) -> tuple[list[str], list[str]]:
        return (["File microphone"] if self._microphone is not None else []), ["File speaker"]
