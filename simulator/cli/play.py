"""`simulator play`: a role play in the terminal, typed, or scripted from a file."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..engine import CustomerSpoke, Session
from ..engine.turn import REPLIES_RAN_OUT
from ..engine.script import apply, parse_step
from ..errors import EngineError, SimulatorError
from ..practice import BREAK_COMFORT, BREAK_TITLE, Choice, Practice, break_kept
from ..scenario import Policy, load_policy
from ..scoring.assessed import as_text, what_is_assessed
from ..speech.accents import ACCENTS
from ..store import Store, data_dir
from ..store.bundleschema import MAX_NAME, as_name, name_problem
from ..words import counted
from .library import available, content_note, resolve
from .replies import STDIN, Line, is_stdin, read_file, step_of, stream_stdin
from .summary import as_dict, score_text

HELP = ("Type your reply and press Enter. Call controls: /end  /escalate  /hold  /flag.  /stop takes a break: "
        "the call ends and is kept as interrupted, not scored (Ctrl+C or Ctrl+D too).")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help="play a scenario in the terminal",
                       description="Play a scenario by typing replies. " + HELP)
    p.add_argument("scenario", help="a scenario file, or an id from `simulator list`")
    p.add_argument("--intensity", help="intensity level (default: the mildest)")
    p.add_argument("--seed", type=int, help="fix the choice of line variants, to replay exactly")
    p.add_argument("--replies", type=Path, metavar="FILE",
                   help="play non-interactively: one reply or /action per line ('-' reads standard input)")
    p.add_argument("--json", action="store_true", help="print the transcript and score as JSON")
    p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file (default: scenarios/policy.yaml)")
    p.add_argument("--trainee", help="who is practising (default: your user name)")
    p.add_argument("--practice", action="store_true", help="practice only: nothing is kept")
    p.add_argument("--voice", action="store_true",
                   help="hear the customer and answer out loud (typed replies and / actions still work)")
    p.add_argument("--push-to-talk", action="store_true", help="with --voice: press Enter to start and stop talking")
    p.add_argument("--input-device", help="with --voice: microphone number or name (see `simulator devices`)")
    p.add_argument("--output-device", help="with --voice: speaker number or name (see `simulator devices`)")
    p.add_argument("--accent", choices=["auto", *ACCENTS], default="auto",
                   help="with --voice and PocketSphinx: the pronunciations to expect (default: from your locale)")
    p.add_argument("--hangover-ms", type=int, default=None,
                   help="with --voice: a fixed silence that ends your reply (default: 600 ms after a "
                        "finished sentence, 1000 ms after words like 'and' or 'um')")
    p.add_argument("--headset", choices=("auto", "yes", "no"), default="auto",
                   help="with --voice: yes (a headset): talking over the customer stops their line, and the customer "
                        "begins a moment before your pause has ended the reply, stopping if you go on; no "
                        "(loudspeakers, which the microphone hears: they would stop the customer too); auto (the "
                        "default): yes once a line of the customer's has played and the microphone did not hear it")
    p.add_argument("--barge-in", dest="headset", action="store_const", const="yes",
                   help="the same as --headset yes")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    sf = resolve(args.scenario)
    policy = load_policy(args.policy)
    replies = _replies(args.replies) if args.replies is not None else None
    mode = ("push_to_talk" if args.push_to_talk else "voice") if args.voice else "typed"
    choice = Choice(sf, intensity=args.intensity, assessed=not args.practice, input_mode=mode, seed=args.seed)
    with _practice(args, choice, policy) as practice:
        if replies is not None:
            return _scripted(practice, *replies, args.json)
        if args.voice:
            from .voiceterm import play_by_voice
            if play_by_voice(practice.session, args, classify_ahead=practice.classify_ahead):
                print(_take_break(practice))
            else:
                print(score_text(practice.session, practice.result(), policy))
            return 0
        return _interactive(practice)


def _replies(path: Path) -> tuple[Iterable[Line], str]:
    """The lines to play and where they come from. A file is checked whole here, before a session exists."""
    if is_stdin(path):
        return stream_stdin(), STDIN
    return read_file(path), str(path)


@contextmanager
def _practice(args: argparse.Namespace, choice: Choice, policy: Policy) -> Iterator[Practice]:
    """The role play as the app runs it (practice.Practice), kept in the store unless it is practice only, and
    its result sent to the organisation's Learning Record Store under the policy's pass mark."""
    if not choice.assessed:
        yield Practice(choice, "", policy, None)
        return
    trainee = getattr(args, "trainee", None)
    if trainee is not None and (problem := name_problem(trainee)):
        # Kept as given, a name with an escape sequence or 5,000 characters made a session no bundle could carry.
        raise SimulatorError(f"the name given with --trainee {problem}",
                             f"give a name of at most {MAX_NAME} characters, on one line")
    with Store(data_dir(args.data_dir)) as store:
        # The menu (`simulator` with no command) has no --trainee: the same default as `play` without it.
        practice = Practice(choice, as_name(trainee) if trainee else default_trainee(), policy, store)
        try:
            yield practice
        except BaseException:
            if practice.interrupted():
                print(f"(session {practice.session_id[:8]} is kept as interrupted, with the "
                      f"{counted(len(practice.session.turns), 'turn')} played; see `simulator sessions show "
                      f"{practice.session_id[:8]}`)", file=sys.stderr)
            raise
        practice.close()
        _send(practice, getattr(args, "json", False))


def _send(practice: Practice, quiet: bool) -> None:
    """Queue the session for the LRS and try to send; offline it simply waits for the next push."""
    try:
        # A few seconds at most, however slowly the LRS answers: what is not sent waits in the outbox.
        report = practice.send(timeout=3.0, within=4.0)
    except SimulatorError as exc:
        report = None
        if not quiet:
            print(f"(learning record not sent: {exc.message})", file=sys.stderr)
    if report and report.waiting and not quiet:
        reason = "the Learning Record Store is not reachable" if report.error else "the Learning Record Store is slow"
        print(f"({reason}; {counted(report.waiting, 'statement')} will go on the next `simulator sessions push`)",
              file=sys.stderr)


def default_trainee() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "trainee"


def _take_break(practice: Practice) -> str:
    """/stop: the call ends here and is kept as the app keeps a break (Practice.interrupted): the turns so far,
    not scored, not an attempt. Returns what to tell the trainee."""
    practice.interrupted()
    words = textwrap.fill(f"{BREAK_TITLE}. {BREAK_COMFORT} {break_kept(practice.choice.assessed)}", width=76)
    return f"\n{'=' * 60}\n{words}"


def _scripted(practice: Practice, lines: Iterable[Line], where: str, as_json: bool) -> int:
    session = practice.session
    if not as_json:
        session.subscribe(_printer(session))
    unused, on_break = _play_lines(session, lines, where)
    said = _take_break(practice) if on_break else None
    result = None if on_break else practice.result()
    data = as_dict(session, result, unused)
    data["interrupted"] = on_break  # a /stop: kept as interrupted, "score" is null
    if practice.session_id is not None:
        data["session_id"] = practice.session_id
    if as_json:
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(said if on_break else score_text(session, result, practice.policy))
        if unused:
            print(f"\n(The session ended before {len(unused)} of the replies.)")
    return 0


def _play_lines(session: Session, lines: Iterable[Line], where: str) -> tuple[list[str], bool]:
    """Play each line as it comes (each turn is recorded as it is played); returns the lines left once it ended,
    and whether it ended on a /stop (a break: the session is left unfinished, for Practice.interrupted)."""
    session.start()
    unused = []
    on_break = False
    for line in lines:
        if session.finished or on_break:
            if line.shown and not line.shown.startswith("#"):
                unused.append(line.shown)
            continue
        step = step_of(line, where)
        if step is not None and step.kind == "stop":
            on_break = True
        elif step is not None:
            apply(session, step)
    return unused, on_break


def _printer(session: Session):
    name = session.scenario.persona.name

    def show(event) -> None:
        if isinstance(event, CustomerSpoke):
            wrapped = textwrap.fill(event.turn.text, width=76, initial_indent="  ", subsequent_indent="  ")
            print(f"\n{name} ({event.mood}):\n{wrapped}")
    return show


def _interactive(practice: Practice) -> int:
    session = practice.session
    s = session.scenario
    print(f"\n{s.title}\n{'-' * len(s.title)}")
    if s.summary:
        print(textwrap.fill(" ".join(s.summary.split()), width=76))
    print(f"\n{content_note(session.file)}  Intensity: {session.intensity}.")
    print(f"\nWhat is assessed:\n{as_text(what_is_assessed(session.file, practice.policy))}\n")
    print(HELP)
    session.subscribe(_printer(session))
    session.start()
    on_break = False
    while not session.finished:
        try:
            line = typed_line("\nYou: ")
        except KeyboardInterrupt:
            on_break = True  # Ctrl+C: the person wants out, as quitting the app mid-call (kept, not scored)
            break
        except EOFError:
            if sys.stdin.isatty():
                on_break = True  # Ctrl+D at the keyboard: leaving, not a finished call
                break
            print()
            session.stop(REPLIES_RAN_OUT)  # scored as far as they went; "You stopped the session" read oddly here
            break
        try:
            step = parse_step(line)
            if step.kind == "stop":
                on_break = True
                break
            apply(session, step)
        except EngineError as exc:
            print(f"  ({exc.message}. {exc.hint})")
    print(_take_break(practice) if on_break else score_text(session, practice.result(), practice.policy))
    if practice.session_id is not None:
        print(f"\nKept as session {practice.session_id[:8]} (see `simulator sessions show {practice.session_id[:8]}`).")
    return 0


_typed_ahead = b""  # what the terminal gave past the last line returned (a pasted block comes in one read)


def typed_line(prompt: str) -> str:
    """input(), but a Ctrl+C is felt at once. The kernel may hand SIGINT to any thread, and the number libraries
    start several: handled there, it only marks the signal, and input() went on waiting for a line that never came
    (a tester's Ctrl+C, about one time in ten). Waking every fifth of a second lets Python act on it."""
    global _typed_ahead
    if not sys.stdin.isatty():
        return input(prompt)
    import os
    import select
    sys.stdout.write(prompt)
    sys.stdout.flush()
    fd = sys.stdin.fileno()
    while b"\n" not in _typed_ahead:
        if select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:  # Ctrl+D: the end, or the words typed so far
                if _typed_ahead:
                    break
                raise EOFError
            _typed_ahead += chunk
    line, _, _typed_ahead = _typed_ahead.partition(b"\n")
    return line.decode(sys.stdin.encoding or "utf-8", "replace").rstrip("\r")


def _ask(prompt: str, allowed: list[str], what: str, default: str | None = None) -> str | None:
    """One of `allowed` as the person types it, asked again after a typo; None when they leave (Enter with no
    default, Ctrl+D, Ctrl+C)."""
    while True:
        try:
            answer = typed_line(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return None
        if not answer:
            return default
        match = next((a for a in allowed if a.casefold() == answer.casefold()), None)
        if match is not None:
            return match
        print(f"  ('{answer}' is not on the list: type {what})")


def choose_and_play(args: argparse.Namespace) -> int:
    """With no command: pick a scenario from the library and play it."""
    good, bad = available()
    if not sys.stdin.isatty():
        print("Run `simulator play SCENARIO` (see `simulator list`), or `simulator --help`.")
        return 0
    print("Scenarios:")
    for i, sf in enumerate(good, 1):
        print(f"  {i}. {sf.scenario.title}  [{sf.scenario.difficulty}]  {content_note(sf)}")
    for exc in bad:
        print(f"  (skipped {exc.path}: it has errors; run `simulator validate`)")
    numbers = [str(i) for i in range(1, len(good) + 1)]
    choice = _ask("\nNumber to play (Enter to quit): ", numbers, f"a number from 1 to {len(good)}")
    if choice is None:
        return 0
    sf = good[int(choice) - 1]
    intensity = None
    levels = sf.scenario.intensity
    if len(levels) > 1:
        intensity = _ask(f"Intensity ({'/'.join(levels)}, Enter for {levels[0]}): ", levels,
                         " or ".join(levels), default=levels[0])
        if intensity is None:
            return 0
    with _practice(args, Choice(sf, intensity=intensity), load_policy()) as practice:
        return _interactive(practice)
