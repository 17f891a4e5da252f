"""A role play as a state machine over the scenario's nodes.

The customer speaks a node's line; the trainee replies, uses a call
control, or stays silent; the first transition whose condition holds picks
the next node. Listeners hear every step as an event. No Qt, no audio:
the terminal, the app and the tests drive it the same way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from ..errors import EngineError
from ..scenario import ACTIONS, ScenarioFile
from ..scenario.model import Condition, Node
from ..scoring.detect import Detector
from .events import CustomerSpoke, Event, SessionEnded, SessionScored, TurnRecorded
from .reply_text import MAX_REPLY, kept
from .turn import BREAK, CALL_ENDED, ESCALATED, Ending, Turn

Listener = Callable[[Event], None]

# Call controls that hand the customer on or hang up: the trainee's part is over.
FINAL_ACTIONS = {"end_call": (CALL_ENDED, "You ended the call."),
                  "escalate": (ESCALATED, "You transferred the call to a supervisor.")}
RESUME = "resume"  # taking the customer off hold: a recorded turn, not a call control a scenario routes on (ACTIONS)


class Session:
    def __init__(self, scenario_file: ScenarioFile, detector: Detector, *, intensity: str | None = None,
                 seed: int | None = None, clock: Callable[[], float] = time.time,
                 scorer: Callable[[list[Turn], Ending | None], Any] | None = None, start_at: str | None = None) -> None:
        self.file = scenario_file
        self.scenario = scenario_file.scenario
        levels = self.scenario.intensity
        if intensity is not None and intensity not in levels:
            raise EngineError(f"'{intensity}' is not an intensity of {self.scenario.id}",
                              f"choose one of: {', '.join(levels)}")
        self.intensity = intensity or levels[0]
        self.seed = seed if seed is not None else random.randrange(2**31)
        self._rng = random.Random(self.seed)
        self._detector = detector
        self.detector_version: str = getattr(detector, "version", "")
        self._clock = clock
        self._scorer = scorer
        self._listeners: list[Listener] = []
        self.turns: list[Turn] = []
        self.path: list[str] = []
        if start_at is not None and start_at not in self.scenario.nodes:
            raise EngineError(f"'{start_at}' is not a node of {self.scenario.id}",
                              f"choose one of: {', '.join(self.scenario.nodes)}")
        # A coach may start anywhere to try one part of the conversation.
        self.node_id = start_at or self.scenario.start_node
        self.mood = self.scenario.mood
        self.ending: Ending | None = None
        self.result: Any = None
        self.started = False
        self._looked_ahead: tuple[tuple, tuple] | None = None  # next_line's reply and what was detected in it

    # -- listening ---------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    # -- state ---------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def scores(self) -> bool:
        """Its score follows its ending (SessionScored), when it was given a scorer."""
        return self._scorer is not None

    @property
    def node(self) -> Node:
        return self.scenario.nodes[self.node_id]

    # -- driving -------------------------------------------------------------
    def start(self) -> None:
        if self.started:
            raise EngineError("this session has already started")
        self.started = True
        self._enter(self.node_id)

    def reply(self, text: str, *, source: str = "typed", confidence: float | None = None,
              word_confidences: tuple[float, ...] = (), started_at: float | None = None) -> None:
        """The trainee said or typed something. Empty text counts as silence.

        Spoken replies bring the recogniser's confidences (overall, and one per
        word) so that verdicts resting on unsure words can be marked uncertain.
        """
        self._require_running()
        text = kept(text)
        if not text.strip():
            self.silence()
            return
        if len(text) > MAX_REPLY:
            if source == "typed":
                raise EngineError(f"that reply is {len(text):,} characters, and a reply may be at most "
                                  f"{MAX_REPLY:,}", "say it in shorter replies")
            text = text[:MAX_REPLY]  # heard: a recogniser never gives this much in one turn, and a call never stops
        matches = self._said(text, source, confidence, tuple(word_confidences), started_at)
        self._enter(self._choose(self._heard(matches), None) or self.node_id)

    def next_line(self, text: str, *, source: str = "typed",
                  word_confidences: tuple[float, ...] = ()) -> tuple[str, str] | None:
        """The line the customer would say next, and its mood, if `text` were the reply, without taking it: a
        voice call begins the line just before the trainee's pause is known to end the reply. Taking the same
        reply then says the same line (the same choice of variant), or None where it leads to no line."""
        self._require_running()
        text = kept(text)[:MAX_REPLY]
        if not text.strip():
            return None
        matches = self._detect(text, source, tuple(word_confidences))
        self._looked_ahead = ((text, source, tuple(word_confidences)), matches)
        target = self._choose(self._heard(matches), None) or self.node_id
        lines = self.scenario.lines(target, self.intensity)
        if not lines:
            return None
        rng = random.Random()
        rng.setstate(self._rng.getstate())
        return self._pick(lines, rng).text, self.scenario.nodes[target].mood or self.mood

    def leave(self, action: str, words: str = "", *, source: str = "typed") -> None:
        """End the call or escalate it, saying `words` on the way (a reply typed but not sent when the control
        was pressed). The words are kept and scored as the trainee's last reply, but the customer, whom the
        trainee is leaving, does not answer them first: a tester's half-typed "note" made the customer hang up,
        and the End call they pressed counted as missed. What they showed steers the control's own transitions
        (`{any: [...], action: end_call}`): "it's cancelled, goodbye" is not a hang-up on an unsolved problem."""
        self._require_running()
        if action not in FINAL_ACTIONS:
            raise EngineError(f"'{action}' does not leave the call", f"use one of: {', '.join(FINAL_ACTIONS)}")
        words = kept(words)[:MAX_REPLY]  # the trainee is leaving: a word too many must not keep them in the call
        met = self._heard(self._said(words, source, None, (), None)) if words.strip() else set()
        self._act(action, met)

    def _said(self, text: str, source: str, confidence: float | None, word_confidences: tuple[float, ...],
              started_at: float | None) -> tuple:
        matches = self._detect(text, source, word_confidences)
        self._record("trainee", "reply", text=text, source=source, matches=matches, confidence=confidence,
                     word_confidences=word_confidences, started_at=started_at)
        return matches

    def _detect(self, text: str, source: str, word_confidences: tuple[float, ...]) -> tuple:
        ahead, self._looked_ahead = self._looked_ahead, None
        if ahead is not None and ahead[0] == (text, source, word_confidences):
            return ahead[1]
        return tuple(self._detector.detect(text, spoken=source == "spoken", confidences=word_confidences or None))

    def act(self, action: str) -> None:
        """The trainee used a call control."""
        self._require_running()
        self._act(action, set())

    def _act(self, action: str, met: set[str]) -> None:
        """`met`: what the words said with the control showed (leave), for a transition that asks for both."""
        if action not in ACTIONS:
            raise EngineError(f"'{action}' is not a call control", f"use one of: {', '.join(ACTIONS)}")
        self._record("trainee", "action", action=action)
        target = self._choose(met, action, explicit_only=True)
        if target is not None:
            self._enter(target)
        elif action in FINAL_ACTIONS:
            node, debrief = FINAL_ACTIONS[action]
            self._finish(Ending(node, "mixed", debrief, reason=action))  # type: ignore[arg-type]
        # hold and flag with no transition of their own: the customer waits, the trainee goes on

    def resume(self) -> None:
        """The trainee took the customer off hold without a word yet. Kept as a turn, so a reviewer sees how long
        the customer waited (a reply or another call control ends a hold by itself and needs no turn)."""
        self._require_running()
        self._record("trainee", "action", action=RESUME)

    def silence(self) -> None:
        """The trainee said nothing for the scenario's silence timeout."""
        self._require_running()
        self._record("trainee", "silence")
        # With no on_silence the customer says the node's line again (another variant if there is one).
        self._enter(self.node.on_silence or self.node_id)

    def stop(self, ending: Ending = BREAK) -> None:
        """The trainee needs a break (or, `ending`, the replies piped in ran out): end now, keep everything so far."""
        if self.finished:
            return
        self._finish(ending)

    # -- internals -------------------------------------------------------------
    def _heard(self, matches) -> set[str]:
        """What the customer reacts to. Doubt goes the trainee's way, as in scoring: a thing to avoid that
        the detector was unsure of does not send the conversation down its branch."""
        criteria = self.file.criteria
        return {m.criterion for m in matches
                if not (getattr(m, "uncertain", False) and m.criterion in criteria and criteria[m.criterion].negative)}


    def _require_running(self) -> None:
        if not self.started:
            raise EngineError("the session has not started", "call start() first")
        if self.finished:
            raise EngineError("the session is over", "start a new session to play again")

    def _choose(self, met: set[str], action: str | None, explicit_only: bool = False) -> str | None:
        for tr in self.node.on:
            if tr.when is None:
                return None if explicit_only else tr.target
            if _holds(tr.when, met, action):
                return tr.target
        return None

    def _enter(self, node_id: str) -> None:
        self.node_id = node_id
        self.path.append(node_id)
        node = self.node
        if node.mood:
            self.mood = node.mood
        lines = self.scenario.lines(node_id, self.intensity)
        if lines:
            line = self._pick(lines)
            turn = self._record("customer", "line", text=line.text, line_id=line.id)
            self._emit(CustomerSpoke(turn, self.mood))
        if node.is_ending:
            self._finish(Ending(node_id, node.end or "mixed", node.debrief))

    def _pick(self, lines: list, rng: random.Random | None = None) -> Any:
        """A variant, avoiding the one said last time at this node when there is a choice."""
        said = [t.line_id for t in self.turns if t.speaker == "customer"]
        ids = {ln.id for ln in lines}
        last = next((i for i in reversed(said) if i in ids), None)
        # Every variant said already (a third silence at a node of two): still not the one just said.
        fresh = [ln for ln in lines if ln.id not in said] or [ln for ln in lines if ln.id != last] or lines
        return (rng or self._rng).choice(fresh)

    def _record(self, speaker: str, kind: str, *, started_at: float | None = None, **fields: Any) -> Turn:
        now = self._clock()
        turn = Turn(index=len(self.turns), speaker=speaker, kind=kind, node=self.node_id,  # type: ignore[arg-type]
                    started_at=started_at if started_at is not None else now, ended_at=now, **fields)
        self.turns.append(turn)
        self._emit(TurnRecorded(turn))
        return turn

    def _finish(self, ending: Ending) -> None:
        self.ending = ending
        self._emit(SessionEnded(ending))
        if self._scorer is not None:
            self.result = self._scorer(self.turns, ending)
            self._emit(SessionScored(self.result))


def _holds(cond: Condition, met: set[str], action: str | None) -> bool:
    # A condition on criteria is about what a reply said; a call control alone is not a reply, but words said with
    # End call or Escalate (Session.leave) are, and a condition with both asks for both.
    if cond.action != action:
        return False
    if cond.any and not met.intersection(cond.any):
        return False
    if cond.all and not set(cond.all) <= met:
        return False
    if cond.none and met.intersection(cond.none):
        return False
    return True

