"""A role play in progress: opens what it needs off the GUI thread, then runs the voice loop on its own thread.

The window only calls `type_line`, `act`, `talk` and `stop`, which put
things on the loop's queue, and hears back through the bridge's signals.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QObject, Signal

from ..engine import BREAK
from ..practice import Choice, Practice
from ..scenario import Policy
from ..settings import AppSettings
from ..speech.kit import AudioDevices, SpeechKit
from ..speech.synthesis import VoiceSettings
from ..store import Store
from ..voiceplay import VoiceLoop, prerender
from .bridge import SessionBridge
from .notices import explain, for_people
from .tasks import Tasks


@dataclass
class Opened:
    practice: Practice
    speaker: object | None
    microphone: object | None
    input_mode: str
    voice: VoiceSettings
    notices: list[str] = field(default_factory=list)


def voice_for(practice: Practice, settings: AppSettings) -> VoiceSettings:
    base = VoiceSettings.of(practice.session.scenario.persona.voice)
    return replace(base, rate=max(80, min(400, round(base.rate * settings.rate_percent / 100))),
                   voice=settings.voice or base.voice)


def open_practice(choice: Choice, trainee: str, policy: Policy, store: Store | None, kit: SpeechKit | None,
                  devices: AudioDevices, settings: AppSettings) -> Opened:
    """Everything slow before the first line: the detector, the record, the devices, the first lines' audio."""
    practice = Practice(choice, trainee, policy, store)
    notices: list[str] = [for_people(practice.notice)] if practice.notice else []
    voice = voice_for(practice, settings)
    speaker = microphone = None
    if kit is not None and kit.synthesizer is not None:
        prerender(kit.cache, practice.session, voice)
        try:
            speaker = devices.speaker(settings.output_device)
        except Exception as exc:  # noqa: BLE001 - NoAudio and PortAudio errors alike: captions still work
            why = explain(exc)
            notices.append(why if "caption" in why else f"{why} The customer's lines are shown as captions.")
    elif kit is not None:
        notices.extend(kit.notices[:1])
    mode = choice.input_mode
    if mode != "typed":
        if kit is None or kit.recognizer is None:
            notices.append("Speech recognition is not available, so this session is typed. "
                           + (kit.notices[-1] if kit and kit.notices else "It is still loading; try again in a moment."))
            mode = "typed"
        else:
            try:
                microphone = devices.microphone(settings.input_device)
            except Exception as exc:  # noqa: BLE001 - a missing microphone means typing, never a failure
                notices.append(f"{explain(exc)} This session is typed: write your replies and press Enter.")
                mode = "typed"
    return Opened(practice, speaker, microphone, mode, voice, notices)


class LiveSession(QObject):
    finished = Signal()  # the loop has stopped and the record is complete

    def __init__(self, opened: Opened, kit: SpeechKit | None, tasks: Tasks, hangover_ms: int | None = None,
                 barge_in: bool | None = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.opened = opened
        self.practice = opened.practice
        self.session = opened.practice.session
        self.tasks = tasks
        self.bridge = SessionBridge(self.session, self)
        if self.practice.recorder is not None:  # a failed save is told, and the call goes on (recorder.py)
            self.practice.recorder.on_problem = self.bridge.problem.emit
        self.input_mode = opened.input_mode
        self.ending = None
        self.result = None
        self.started_at = 0.0
        keep = self.practice.hold_audio if self.practice.choice.keep_audio else None
        self.loop = VoiceLoop(self.session, speaker=opened.speaker, microphone=opened.microphone,
                              engine=kit.recognizer if self.input_mode != "typed" and kit else None,
                              cache=kit.cache if kit and kit.synthesizer else None, events=self.bridge.events,
                              hangover_ms=hangover_ms, push_to_talk=self.input_mode == "push_to_talk",
                              voice=opened.voice, keep_audio=keep, barge_in=barge_in,
                              classify_ahead=self.practice.classify_ahead)
        self.bridge.ended.connect(self._ended)
        self.bridge.scored.connect(self._scored)
        self._talking = False
        self._abandoned = False
        self.on_break = False  # the trainee stopped for a break: kept as interrupted, never scored
        self.unsaved: str | None = None  # why the call's last turns, ending or score are not in the records yet
        self._thread = threading.Thread(target=self._run, name="session-loop", daemon=True)

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        try:
            self.loop.run()
        except Exception as exc:  # noqa: BLE001 - every turn so far is already in the store
            message = getattr(exc, "message", str(exc))
            self.bridge.problem.emit(f"The session stopped unexpectedly ({message}). Everything up to the last "
                                     "turn is kept.")
        finally:
            self.on_break = self.on_break or self.loop.on_break  # the button, Ctrl+B, or /stop typed in the box
            try:
                if (self._abandoned or self.on_break) and not self.session.finished:
                    self.practice.interrupted()  # as a call cut short is kept anywhere: its turns, no score
                    if self.on_break:
                        self.ending = BREAK
                else:
                    self.practice.close()
            except Exception as exc:  # noqa: BLE001 - the window must still leave the call (it waits for this)
                self.unsaved = getattr(exc, "message", str(exc))  # the window keeps trying (MainWindow)
            self.tasks.call_soon(self.finished.emit)

    def _ended(self, ending) -> None:
        self.ending = ending

    def _scored(self, result) -> None:
        self.result = result

    # -- from the window -------------------------------------------------------------
    def type_line(self, text: str) -> None:
        self.loop.type_line(text)

    def act(self, action: str) -> None:
        self.loop.act(action)

    def resume(self) -> None:
        """Take the customer off hold (Hold pressed again): no turn of the conversation, the wait starts again."""
        self.loop.resume()

    @property
    def on_hold(self) -> bool:
        """As the loop has it (one source of truth): it decides what ends a hold, in the order things happened."""
        return self.loop.on_hold

    def leave(self, action: str, words: str) -> None:
        self.loop.leave(action, words)

    def typing(self, draft: bool = True) -> None:
        self.loop.typing(draft)

    def cover(self, covered: bool) -> None:
        """A dialog or another window of the app is in front of the call: the trainee is not silent."""
        self.loop.cover(covered)

    def stop(self) -> None:
        self.loop.stop()

    def take_break(self) -> None:
        """"Stop — I need a break": the call ends here, and what was said so far is kept as interrupted, as a call
        cut short is: not scored, and not an attempt that counts towards the trainee's progress or certificates.
        A reply sent just before is said first; if it ends the conversation, the call is scored as usual. Words
        still in the box are not said: a break stops the call where it stands."""
        self.on_break = True
        self._abandoned = True
        self.loop.take_break()

    def abandon(self) -> None:
        """The app is closing mid-call: the loop stops at once and the session is kept as interrupted, not as
        one the trainee ended (no score; the library shows it as not finished)."""
        self._abandoned = True
        self.loop.abandon()

    def talk(self, on: bool) -> None:
        listener = self.loop.listener
        if listener is None or on == self._talking:
            return
        self._talking = on
        (listener.press if on else listener.release)()

    @property
    def talking(self) -> bool:
        return self._talking

    @property
    def customer_speaking(self) -> bool:
        return self.loop.customer_speaking

    @property
    def microphone_quiet(self) -> bool:
        return self.loop.microphone_quiet

    @property
    def mic_level(self) -> float:
        return float(getattr(self.loop.microphone, "level", 0.0) or 0.0)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)
