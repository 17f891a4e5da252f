"""`simulator classify`: which criteria each reply meets, as JSON lines.

Files of replies come from exports and scripts, so some lines will be bad.
A bad line gets an error record in its place and a message naming the file
and line; every other line is still classified, and the exit status says
that something was refused.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Iterator

from ..errors import SimulatorError
from ..files import UnreadableFile, open_regular_file
from ..scenario import standard_criteria
from ..scoring.detector import SURE, build_detector

# A minute of speech is about 900 characters; detection time grows with the length (4 MB took 18 s).
MAX_REPLY_CHARS = 5_000
MAX_LINE_BYTES = 64 * 1024  # a reply at the limit, even written with \u escapes, fits
SHAPE = 'not a JSON object with a "text" string (and "source" typed or spoken, if given)'
SHAPE_HINT = 'write one {"id": ..., "text": "...", "source": "typed"} per line'
LONE_SURROGATE = "holds a lone surrogate (half of a character, written \\ud800 to \\udfff)"
SURROGATE_HINT = "write the whole character, or leave it out"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="label replies with the criteria they meet",
                       description='Read JSON lines {"id": ..., "text": ..., "source": "typed"|"spoken"} and write one '
                                   'JSON line per reply: {"id": ..., "labels": [...], "uncertain": [...], '
                                   '"evidence": {criterion: {"quote", "start", "end", "by"}}} (with "line": N where the '
                                   'reply has no id). "source" is typed '
                                   'when absent: chat-style lower case is still typed. Uncertain labels are in '
                                   '"labels" too; a score never counts them against the trainee. A line that '
                                   'cannot be classified gets {"id": ..., "line": N, "error": "..."} in its place '
                                   f'and the exit status is 2. A reply may be at most {MAX_REPLY_CHARS:,} characters.')
    p.add_argument("file", help="a JSON-lines file, or - for standard input (use - for a pipe)")
    p.add_argument("--exact", action="store_true",
                   help="the sentence model reads every reply, as in the app: the very labels a session gives, "
                        "about 2.6 times slower. By default it reads only the replies the other heads are unsure of, "
                        "and about 1 reply in 60 gets other labels than the app gives it")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # the default since 2026-12-04
    p.add_argument("--without-sentence-model", action="store_true",
                   help="leave the sentence model out altogether: about ten times faster, a little less accurate "
                        "(the app always uses it)")
    p.add_argument("--verbose", action="store_true",
                   help="say on standard error what scores the replies: the detector's version and how its parts run")
    p.set_defaults(run=run, verbose=False)


def _parts(detector) -> str:
    """How the detector's parts run here: with or without the sentence model, and its retrained layers in ONNX
    Runtime or NumPy (a built app without their graphs scores the same to within an int8 step, only slower)."""
    contextual = detector.learned.contextual if detector.learned is not None else None
    if detector.learned is None:
        return "phrase rules alone"
    if contextual is None:
        return "rules and heads, without the sentence model"
    from ..scoring.tuned import COMPILED_RECIPE, RECIPE

    ways = {COMPILED_RECIPE: "ONNX Runtime", RECIPE: "NumPy"}
    layers = [f"{kind} {ways.get(t.recipe, t.recipe)}" for kind, t in (("typed", contextual.tuned),
                                                                     ("spoken", contextual.tuned_spoken)) if t]
    read = ("the sentence model reads only the replies the other heads are unsure of" if detector.sure is not None
            else "the sentence model")
    return f"rules, heads and {read}; retrained layers: " + (", ".join(layers) or "none")


class BadLine(Exception):
    """One line that cannot be classified: what is wrong, what to do, and its id when known."""

    def __init__(self, message: str, hint: str = SHAPE_HINT, reply_id: object = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.reply_id = message, hint, reply_id


def run(args: argparse.Namespace) -> int:
    detector = build_detector(standard_criteria(), in_context=not args.without_sentence_model,
                              sure=None if args.exact else SURE)
    if detector.notice:
        print(f"notice: {detector.notice}", file=sys.stderr)
    if args.verbose:
        print(f"detector: {detector.version}; {_parts(detector)}", file=sys.stderr)
    if args.file == "-":
        return _classify(detector, getattr(sys.stdin, "buffer", None) or _BytesFrom(sys.stdin), "-")
    try:
        lines = open_regular_file(args.file, "replies file")
    except UnreadableFile as exc:
        special = any(kind in exc.reason for kind in ("a named pipe", "a device", "a socket"))
        raise SimulatorError(exc.message, f"{exc.hint}; to read a pipe or a device, give - and redirect it "
                                          f"(simulator classify - < {args.file})" if special else exc.hint) from None
    with lines:
        return _classify(detector, lines, args.file)


def _classify(detector, stream, name: str) -> int:
    out = sys.stdout
    refused = 0
    for number, raw in _lines(stream):
        try:
            reply = _reply(raw, number)
            if reply is None:
                continue
            reply_id, text, spoken = reply
            matches = detector.detect(text, spoken=spoken)
            record = {"id": reply_id} if reply_id is not None else {"id": None, "line": number}
            written = _written({**record, "labels": [m.criterion for m in matches],
                                "uncertain": [m.criterion for m in matches if m.uncertain],
                                "evidence": {m.criterion: {"quote": m.quote, "start": m.start, "end": m.end,
                                                           "by": "rules" if m.probability is None else "heads"}
                                             for m in matches}})
        except BadLine as exc:
            refused += 1
            print(f"error: {name}:{number}: {exc.message}\n  {exc.hint}", file=sys.stderr)
            try:
                written = _written({"id": exc.reply_id, "line": number, "error": exc.message})
            except BadLine:
                written = _written({"id": None, "line": number, "error": exc.message})
        out.write(written)
    if refused:
        print(f"{refused} line{'s' if refused != 1 else ''} of {name} could not be classified; "
              "each has an error record in its place", file=sys.stderr)
    return 2 if refused else 0


def _lines(stream) -> Iterator[tuple[int, bytes | None]]:
    """(line number, its bytes), or None for a line too long to read: the rest of it is skipped, never held."""
    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(MAX_LINE_BYTES)
            yield number, None
        else:
            yield number, line


def _reply(raw: bytes | None, number: int) -> tuple[object, str, bool] | None:
    """(id, text, spoken) from one line, None for a blank line; BadLine saying what is wrong."""
    if raw is None:
        raise BadLine(f"the line is longer than {MAX_LINE_BYTES // 1024} KB",
                      f"a reply may be at most {MAX_REPLY_CHARS:,} characters: split it into replies, one per line")
    if number == 1:
        raw = raw.removeprefix(codecs.BOM_UTF8)  # written by some Windows editors and exporters
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"byte {exc.start + 1} of the line is not UTF-8 text", "save the file as UTF-8") from None
    if not line.strip():
        return None
    item = _json(line)
    if not isinstance(item, dict):
        raise BadLine(f"the line holds a JSON {_KIND.get(type(item), 'value')}, not an object {{...}}")
    reply_id, text, source = item.get("id"), item.get("text"), item.get("source", "typed")
    if "text" not in item:
        raise BadLine('the object has no "text"', reply_id=reply_id)
    if not isinstance(text, str):
        raise BadLine(f'"text" is a JSON {_KIND.get(type(text), "value")}, not text in quotes', reply_id=reply_id)
    if source not in ("typed", "spoken"):
        raise BadLine(f'"source" is {json.dumps(source, ensure_ascii=False)[:40]}: it must be "typed" or "spoken"',
                      'leave "source" out for typed replies, or give "typed" or "spoken"', reply_id)
    if len(text) > MAX_REPLY_CHARS:
        raise BadLine(f"the text is {len(text):,} characters; a reply may be at most {MAX_REPLY_CHARS:,}",
                      "split it into replies, one per line", reply_id)
    if not _encodable(text):
        raise BadLine(f"the text {LONE_SURROGATE}", SURROGATE_HINT, reply_id)
    return reply_id, text, source == "spoken"


_KIND = {list: "list", str: "text", int: "number", float: "number", bool: "true or false", type(None): "null",
         dict: "object"}


def _json(line: str) -> object:
    try:
        return json.loads(line, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadLine("the JSON is nested too deeply to read", SHAPE_HINT) from None
    except _NotJson as exc:
        raise BadLine(str(exc), "write a number, or the value as text in quotes") from None
    except json.JSONDecodeError as exc:
        what = f"{exc.msg.lower().removesuffix(' at')} at character {exc.pos + 1}"  # "Invalid control character at"
        if exc.msg.startswith("Invalid control character") and exc.pos >= len(line.rstrip("\r\n")):
            what = "a text in quotes is not closed: it runs to the end of the line"  # the line break is that character
        raise BadLine(f"the line is not valid JSON ({what})",
                      'write one {"id": 1, "text": "..."} per line, names and text in double quotes') from None
    except ValueError:
        raise BadLine(SHAPE) from None


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str) -> object:
    # Python reads NaN and Infinity, but writing them back would make a line no JSON reader accepts.
    raise _NotJson(f"{name} is not a JSON number")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _written(record: dict) -> str:
    """The record as a line of JSON; BadLine when its id cannot be written back as JSON."""
    try:
        line = json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
    except RecursionError:
        raise BadLine("the id is nested too deeply to write back", "give each reply a text or number id") from None
    except ValueError:  # 1e999 reads as infinity, which JSON cannot hold
        raise BadLine("the id is a number too large to write back as JSON", "give each reply a text or number id") from None
    if not _encodable(line):
        raise BadLine(f"the id {LONE_SURROGATE}", SURROGATE_HINT)
    return line


class _BytesFrom:
    """A text stream (standard input replaced, as in tests) read line by line as bytes, like a file."""

    def __init__(self, text_stream) -> None:
        self.text_stream = text_stream

    def readline(self, limit: int) -> bytes:
        return self.text_stream.readline(limit).encode("utf-8", "surrogateescape")
