"""Audio devices through sounddevice, imported only when needed and never fatally."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SimulatorError


class NoAudio(SimulatorError):
    """No usable audio device or library: fall back to captions and typing."""


def sounddevice_module():
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing: sounddevice raises OSError at import
        raise NoAudio(f"the audio library is not available ({exc})",
                      "install PortAudio (Debian: libportaudio2); until then replies are typed") from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool = False
    is_default_output: bool = False


def list_devices() -> list[Device]:
    sd = sounddevice_module()
    try:
        found = sd.query_devices()
        default_in, default_out = sd.default.device
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
        raise NoAudio(f"audio devices cannot be listed: {exc}", "check the sound system") from None
    return [Device(i, d["name"], d["max_input_channels"], d["max_output_channels"], d["default_samplerate"],
                   i == default_in, i == default_out) for i, d in enumerate(found)]


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
