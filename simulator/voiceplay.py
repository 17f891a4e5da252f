"""A role play by voice: the customer speaks, the trainee answers out loud (or types), like a call.

One loop thread drives the session; the microphone, the recogniser, the
speaker and the keyboard only put things on its queue. The microphone is
not listened to while the customer speaks (there is no echo cancellation),
except to let the trainee talk over the customer: a push-to-talk press, or
with `barge_in`, speech above an echo-safe level, stops the line and is
heard. A line starts from the disk cache, rendered ahead when the scenario
was opened, in the voice of the customer's mood. A session that ends on a
customer line plays it out first. Where the microphone does not hear the
customer (a headset: `barge_in`, or found so, speech/echo.py) the customer
answers a little before the pause is known to end the reply, and stops if the
trainee goes on (`EarlyLine`): the reply is taken only once the pause ends it.

Silence counts only after a wait, and typing is slower than speaking: a
typed reply gets a longer wait, every keystroke starts it again, words not
yet sent hold it off longer, a dialog of the app in front of the call stops
it, and a "still there?" comes before the silence is recorded (the rule is
`engine.silence.SilenceClock`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .engine import CustomerSpoke, Session
from .engine.script import apply, parse_step
from .engine.silence import TYPED_SILENCE_S, SilenceClock
from .errors import EngineError
from .scenario import Scenario
from .speech.listener import BARGE_IN_LEVEL, Listener
from .speech.playback import Playback
from .speech.recognition import Engine, Utterance
from .speech.synthesis import LineCache, VoiceSettings, in_mood


CLOSE_WAIT_S = 0.5  # at the end, what the speaker's stream gets to close before the loop returns anyway
MIC_BACK = "the microphone is back: speak or type"
LAST_LINE_SLACK_S = 3.0  # a line that has not finished this long after its length is stopped
log = logging.getLogger("simulator.audio")


@dataclass
class VoiceEvents:
    """Where the loop reports to (a terminal or a window)."""

    caption: Callable[[str, str], None] = lambda name, text: None  # the customer's line, shown as it is spoken
    partial: Callable[[str], None] = lambda text: None  # the trainee's words while speaking
    heard: Callable[[Utterance], None] = lambda u: None  # the final words of an utterance
    notice: Callable[[str], None] = lambda text: None
    problem: Callable[[str], None] = lambda text: None
    still_there: Callable[[bool], None] = lambda asking: None  # True: ask "still there?"; False: stop asking


def spoken_lines(scenario: Scenario, intensity: str, start: str | None = None, mood: str | None = None,
                 steps: int | None = None) -> list[tuple[str, str]]:
    """(line, mood) for every line the customer may say, nearest the start first, once for each mood it can
    be said in (a node's mood holds from there on, so a node reached from two moods has lines in both).
    From `start` in `mood` (the scenario's start by default), and only `steps` transitions away when given."""
    start = start or scenario.start_node
    todo = deque([(start, scenario.nodes[start].mood or mood or scenario.mood, 0)])
    seen = {todo[0][:2]}
    out: dict[tuple[str, str], None] = {}
    while todo:
        node_id, mood, depth = todo.popleft()
        node = scenario.nodes[node_id]
        out.update(((ln.text, mood), None) for ln in scenario.lines(node_id, intensity))
        if steps is not None and depth >= steps:
            continue
        for target in [*(t.target for t in node.on), *([node.on_silence] if node.on_silence else [])]:
            step = (target, scenario.nodes[target].mood or mood) if target in scenario.nodes else None
            if step is not None and step not in seen:
                seen.add(step)
                todo.append((*step, depth + 1))
    return list(out)


def prerender(cache: LineCache, session: Session, voice: VoiceSettings) -> None:
    """Queue every line of the session in the voice it will be said in, the first ones first."""
    for text, mood in spoken_lines(session.scenario, session.intensity):
        cache.render(text, in_mood(voice, mood))


def render_next(cache: LineCache, session: Session, voice: VoiceSettings) -> None:
    """The lines the customer may say next, queued now (the trainee has yet to answer): whatever the reply,
    the line it leads to is on disk before the pause that ends it. Lines already rendered cost nothing."""
    for text, mood in spoken_lines(session.scenario, session.intensity, session.node_id, session.mood, steps=1):
        cache.render(text, in_mood(voice, mood))


@dataclass
class EarlyLine:
    """The line the customer began before the reply was taken (`Session.next_line`); taking the reply keeps it
    playing when it picks the same line, and the trainee going on stops it."""

    text: str
    mood: str
    playback: Playback


@dataclass
class Timings:
    """For the benchmark: when things happened (monotonic seconds)."""

    finals: list[float] = field(default_factory=list)
    customer_starts: list[float] = field(default_factory=list)
    line_waits: list[float] = field(default_factory=list)  # from a line being chosen to its audio starting
    barge_ins: list[float] = field(default_factory=list)  # when the trainee's voice stopped the customer
    early: dict[str, int] = field(default_factory=lambda: {"begun": 0, "kept": 0, "stopped": 0})


class VoiceLoop:
    def __init__(self, session: Session, *, speaker=None, microphone=None, engine: Engine | None = None,
                 cache: LineCache | None = None, events: VoiceEvents | None = None, hangover_ms: int | None = None,
                 push_to_talk: bool = False, barge_in: bool | None = False, silence_after_s: float | None = None,
                 voice: VoiceSettings | None = None, keep_audio: Callable[[bytes], None] | None = None,
                 classify_ahead: Callable[[str, tuple[float, ...]], None] | None = None,
                 speculate: bool = True) -> None:
        """`classify_ahead(text, word_confidences)`: told a spoken reply as it stands when a long pause begins,
        to classify it before the pause is known to end it (Practice.classify_ahead); `speculate=False` runs
        the recogniser's final pass only once the reply has ended (the same words, later).
        `barge_in`: True with a headset (talking over the customer stops them, and they may begin early), False
        with a loudspeaker, None to find out from whether the microphone hears the customer's lines (echo.py)."""
        self.session = session
        self.speaker = speaker
        self.microphone = microphone
        self.cache = cache
        self.events = events or VoiceEvents()
        self.settings = voice or VoiceSettings.of(session.scenario.persona.voice)
        self.keep_audio = keep_audio  # hands each spoken reply's recording on before the reply is recorded
        self.classify_ahead = classify_ahead
        scenario_wait = session.scenario.settings.silence_after_s
        self.silence_after_s = silence_after_s or scenario_wait  # for spoken replies
        self.typing_silence_s = silence_after_s or max(scenario_wait, TYPED_SILENCE_S)
        self._asking = False
        self.timings = Timings()
        self._inbox: queue.Queue = queue.Queue()
        self._speaking = threading.Event()
        self._playback: Playback | None = None
        self._input_ended = False
        self._abandoned = False
        self._mic_quiet = False  # the microphone went quiet mid-call: replies are typed until it is back
        self.on_break = False  # the trainee took a break (/stop): the session is left unfinished, never scored
        # The customer is on hold: they wait, so the trainee's quiet is not a silence, until the trainee takes
        # them off hold (`resume`), answers, or uses another call control.
        self.on_hold = False
        self._held_at = 0.0  # when Hold was pressed: a spoken reply begun before it does not end the hold
        self.quiet = SilenceClock(time.monotonic())
        # Talking over the customer stops them: always on a push-to-talk press (deliberate), and by
        # voice only when asked (`barge_in`): through loudspeakers the microphone hears the customer.
        self.listener = (Listener(engine, self._on_final, self._on_partial, hangover_ms,
                                  push_to_talk, on_barge_in=self._on_barge_in,
                                  barge_in_level=None if barge_in is False else BARGE_IN_LEVEL,
                                  auto_barge_in=barge_in is None, speculate=speculate,
                                  on_prepared=self._on_prepared if classify_ahead else None,
                                  on_error=self._on_recogniser_error,
                                  on_early=self._on_early if speculate else None,
                                  on_resumed=self._on_resumed) if engine else None)
        self._early: EarlyLine | None = None
        self._deaf = False  # the recogniser failed mid-call: replies are typed from then on
        session.subscribe(self._on_event)

    @property
    def customer_speaking(self) -> bool:
        return self._speaking.is_set()

    # inputs from other threads ------------------------------------------------------
    def type_line(self, line: str) -> None:
        self._inbox.put(("typed", line))

    def act(self, action: str) -> None:
        self._inbox.put(("action", action))

    def _hold_after(self, action: str | None) -> None:
        """What a reply or call control does to the hold: Hold starts it, a flag leaves it, anything else ends it."""
        if action == "hold":
            self.on_hold, self._held_at = True, time.monotonic()
        elif action != "flag":
            self.on_hold = False

    def resume(self) -> None:
        """Take the customer off hold without saying anything yet: the silence wait starts again."""
        self._inbox.put(("resume", None))

    def leave(self, action: str, words: str) -> None:
        """End call or Escalate pressed with `words` typed but not sent: said on the way out (Session.leave)."""
        self._inbox.put(("leave", (action, words)))

    def typing(self, draft: bool = True) -> None:
        """A keystroke in the reply box: the trainee is answering, so the silence wait starts again.
        `draft`: the box now holds words not sent yet."""
        self._inbox.put(("typing", draft))

    def cover(self, covered: bool) -> None:
        """A dialog or another window of the app is in front of the call (True), or no longer (False):
        the silence wait stops while it is."""
        self._inbox.put(("covered", covered))

    def _on_final(self, utterance: Utterance) -> None:
        self.timings.finals.append(time.monotonic())
        self._inbox.put(("spoken", utterance))

    def _on_partial(self, text: str) -> None:
        self.quiet.restart(time.monotonic())
        self.events.partial(text)

    def _on_prepared(self, utterance: Utterance) -> None:
        self._inbox.put(("prepared", utterance))  # classified on the loop thread, the one that asks for it

    def _on_early(self, utterance: Utterance) -> None:
        self._inbox.put(("early", utterance))

    def _on_resumed(self) -> None:
        self._inbox.put(("resumed", None))

    def _on_barge_in(self) -> None:
        self._inbox.put(("barge-in", None))

    def _on_mic_error(self, message: str) -> None:
        self._inbox.put(("mic-lost", message))

    def _on_recogniser_error(self, message: str) -> None:
        self._inbox.put(("deaf", message))

    def _on_mic_back(self) -> None:
        self._inbox.put(("mic-back", None))

    # the session speaks -----------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if not isinstance(event, CustomerSpoke):
            return
        chosen = time.monotonic()
        self.events.caption(self.session.scenario.persona.name, event.turn.text)
        if self.speaker is None or self.cache is None:
            self.quiet.restart(time.monotonic())
            return
        if self.listener:
            self.listener.mute()
        self._speaking.set()
        early = self._early
        if early is not None and (early.text, early.mood) == (event.turn.text, event.mood):
            self._early, playback = None, early.playback  # begun before the reply was taken: it plays on
            self.timings.early["kept"] += 1
        else:
            self._stop_early()
            try:
                path = self.cache.render(event.turn.text, in_mood(self.settings, event.mood)).result(timeout=30)
            except Exception as exc:  # noqa: BLE001 - a line that cannot be rendered is still captioned
                self.events.problem(f"this line could not be spoken ({exc}); read the caption")
                self._done_speaking()
                return
            self._playback = None  # the line being replaced must not unmute the microphone as it stops
            try:
                playback = self.speaker.play(path)
            except Exception as exc:  # noqa: BLE001 - the speaker went away: the caption is still there
                self.events.problem(f"this line could not be played ({getattr(exc, 'message', exc)}); read the caption")
                self._done_speaking()
                return
        self._playback = playback
        self.timings.customer_starts.append(playback.started_at or time.monotonic())
        self.timings.line_waits.append(max(0.0, (playback.started_at or time.monotonic()) - chosen))  # 0: begun early
        render_next(self.cache, self.session, self.settings)

        def after() -> None:
            if not playback.wait(playback.seconds + LAST_LINE_SLACK_S):
                log.warning("a customer line did not finish playing in time; stopping it")
                playback.stop()
            if self._playback is playback:  # not a line that a newer one already replaced
                self._done_speaking()
        threading.Thread(target=after, name="customer-line", daemon=True).start()

    def _begin_early(self, utterance: Utterance) -> None:
        """The pause is about to end the reply: the customer begins the line that reply leads to, from the cache
        (a line not on disk yet waits for the reply to be taken). Nothing is taken or captioned yet."""
        if self.speaker is None or self.cache is None or self.session.finished:
            return
        try:
            line = self.session.next_line(utterance.text, source="spoken",
                                          word_confidences=utterance.word_confidences)
            if line is None:
                return
            rendered = self.cache.render(line[0], in_mood(self.settings, line[1]))
            if not rendered.done():
                return
            playback = self.speaker.play(rendered.result())
        except Exception as exc:  # noqa: BLE001 - the line is played again, in the usual way, once the reply is taken
            log.warning("could not begin the customer's line early: %s", exc)
            return
        self._early = EarlyLine(line[0], line[1], playback)
        self.timings.early["begun"] += 1

    def _stop_early(self) -> None:
        """A line begun early that is not to be kept, if there is one, stops."""
        early, self._early = self._early, None
        if early is not None:
            early.playback.stop()
            self.timings.early["stopped"] += 1

    def _done_speaking(self) -> None:
        self._speaking.clear()
        self.quiet.restart(time.monotonic())
        if self.listener:
            self.listener.unmute()

    # the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        """Play until the session ends (call from one thread; it returns when the session is over)."""
        if self.microphone is not None and self.listener is not None:
            try:
                self.microphone.start(self.listener.feed, self._on_mic_error, self._on_mic_back)
            except Exception as exc:  # noqa: BLE001 - no microphone: typed replies still work
                self.events.notice(f"{getattr(exc, 'message', exc)}; type your replies")
                self.microphone = None
        try:
            self.session.start()  # inside: a store that cannot write the first turn must still close the streams
            while not self.session.finished and not self._abandoned:
                try:
                    kind, value = self._inbox.get(timeout=0.1)
                except queue.Empty:
                    if self._input_ended and not self._speaking.is_set():
                        self.session.stop()
                        continue
                    self._check_silence()
                    continue
                self._handle(kind, value)
        finally:
            if self.session.finished:
                self._let_last_line_play()
            if self.speaker is not None:
                self.speaker.stop()
                if hasattr(self.speaker, "close"):
                    self.speaker.close(wait=CLOSE_WAIT_S)
            if self.microphone is not None:
                self.microphone.stop()
            if self.listener is not None:
                self.listener.close()

    def _let_last_line_play(self) -> None:
        """A session that ends on a customer line (a hang-up) plays it out before the loop returns,
        unless the trainee stops, types or acts, which skips it at once."""
        playback = self._playback
        if playback is None or playback.done:
            return
        deadline = time.monotonic() + playback.seconds + LAST_LINE_SLACK_S
        while not playback.done and time.monotonic() < deadline:
            try:
                kind, _ = self._inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if kind in ("stop", "action", "typed", "leave", "break"):
                playback.stop()
            elif kind == "abandon":  # the window is closing: it waits for this loop, so the line stops now
                self._abandoned = True
                playback.stop()
                return

    def _handle(self, kind: str, value: object) -> None:
        if kind not in ("spoken", "prepared", "typing", "covered"):
            self._stop_early()  # the trainee went on, typed or acted: the reply did not end
        if kind == "early":
            self._begin_early(value)  # type: ignore[arg-type]
            return
        if kind == "resumed":
            return
        if kind == "typing":
            self.quiet.keystroke(time.monotonic(), bool(value))
            self._ask(False)
            return
        if kind == "covered":
            self.quiet.cover(bool(value), time.monotonic())
            self._check_silence()  # stop asking at once while covered; ask again at once on return
            return
        self.quiet.restart(time.monotonic())
        self._ask(False)
        if kind == "resume" and self.on_hold and not self.session.finished:
            self.session.resume()
        if kind in ("leave", "resume"):
            self.on_hold = False
        if kind == "typed":
            self.quiet.sent(time.monotonic())
            if self.speaker is not None and self._speaking.is_set():
                self.speaker.stop()  # typing over the customer interrupts them
            try:
                step = parse_step(str(value))
                self._hold_after(step.value if step.kind == "action" else None)  # "/hold" typed is Hold
                if step.kind == "stop":
                    self._handle("break", None)  # /stop typed: a break, as the app's Stop button takes one
                else:
                    apply(self.session, step)
            except EngineError as exc:
                self.events.problem(f"{exc.message}. {exc.hint}")
        elif kind in ("action", "leave"):
            if self.speaker is not None and self._speaking.is_set():
                self.speaker.stop()
            try:
                if kind == "leave":
                    action, words = value  # type: ignore[misc]
                    self.session.leave(action, words)
                else:
                    self._hold_after(str(value))
                    node = self.session.node_id
                    self.session.act(str(value))
                    if self.session.node_id != node:
                        self.on_hold = False  # the scenario answers the hold: the customer is back on the line
            except EngineError as exc:
                self.events.problem(f"{exc.message}. {exc.hint}")
        elif kind == "spoken":
            u: Utterance = value  # type: ignore[assignment]
            self._deaf = False  # the recogniser came back (a new decoder for the next reply)
            if not u.started_at or u.started_at >= self._held_at:
                self.on_hold = False  # words begun before Hold was pressed ("please hold") do not end it
            self.events.heard(u)
            if self.keep_audio is not None and u.audio:
                self.keep_audio(u.audio)
            self.session.reply(u.text, source="spoken", confidence=u.confidence,
                               word_confidences=u.word_confidences)
            self._stop_early()  # a line begun early that the reply led to no line after all
        elif kind == "prepared":
            u = value  # type: ignore[assignment]
            if self.classify_ahead is not None and not self.session.finished:
                self.classify_ahead(u.text, u.word_confidences)
        elif kind == "barge-in":
            if self.speaker is not None and self._speaking.is_set():
                self.speaker.stop()  # the trainee talks over the customer: the customer stops, as on a call
                self.timings.barge_ins.append(time.monotonic())
        elif kind == "mic-lost":
            # The microphone is kept, not dropped: it may come back, and it must still be closed at the end.
            self._mic_quiet = True
            self.events.notice(str(value))
        elif kind == "deaf":
            if not self._deaf:
                self._deaf = True
                self.events.notice(f"speech recognition stopped working ({value}); type your replies")
        elif kind == "mic-back" and self._mic_quiet:
            self._mic_quiet = False
            self.events.notice(MIC_BACK)
        elif kind == "stop":
            if self.speaker is not None and self._speaking.is_set():
                self.speaker.stop()  # "at once": the line being said is cut, not played out
            self.session.stop()
        elif kind == "abandon":
            self._abandoned = True
        elif kind == "break":
            if self.speaker is not None and self._speaking.is_set():
                self.speaker.stop()  # "at once": the line being said is cut, not played out
            self.on_break = self._abandoned = True
        elif kind == "input-ended" and not self._speaking.is_set():
            self.session.stop()
        elif kind == "input-ended":
            self._input_ended = True  # stop once the customer has finished this line

    @property
    def microphone_quiet(self) -> bool:
        """The microphone went quiet mid-call and has not come back: replies are typed meanwhile."""
        return self._mic_quiet

    @property
    def _typed(self) -> bool:
        return self.listener is None or self.microphone is None or self._mic_quiet or self._deaf

    @property
    def silence_wait_s(self) -> float:
        """How long the trainee's quiet may last now, before it counts as silence."""
        return self.quiet.wait_s(self.silence_after_s, self.typing_silence_s, self._typed)

    def _check_silence(self) -> None:
        if self._speaking.is_set() or (self.listener and self.listener.vad.in_speech):
            return
        if self.on_hold:  # the customer is waiting, as they were asked to
            self.quiet.restart(time.monotonic())
            self._ask(False)
            return
        now = time.monotonic()
        state = self.quiet.check(now, self.silence_after_s, self.typing_silence_s, self._typed)
        if state == "silent":
            self.quiet.restart(now)
            self._ask(False)
            self.session.silence()
        else:
            self._ask(state == "asking")

    def _ask(self, asking: bool) -> None:
        if asking != self._asking:
            self._asking = asking
            self.events.still_there(asking)

    def stop(self) -> None:
        """The trainee stops: the session ends at once, and a customer line still playing is cut."""
        self._inbox.put(("stop", None))

    def take_break(self) -> None:
        """The trainee needs a break (/stop): the loop returns at once and the session is left as it is, not
        ended and not scored; `on_break` tells the caller, who keeps it as interrupted (Practice.interrupted)."""
        self._inbox.put(("break", None))

    def abandon(self) -> None:
        """The app is closing mid-call: the loop returns at once, with its streams closed, and the session is
        left as it is, not ended and not scored (the caller keeps it as interrupted)."""
        self._inbox.put(("abandon", None))

    def end_of_input(self) -> None:
        """No more typing will come (a closed standard input): stop after the customer's current line."""
        self._inbox.put(("input-ended", None))
