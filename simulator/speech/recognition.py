"""Turning the trainee's speech into words, with timings and confidences.

Vosk when a model is installed (better), PocketSphinx with its bundled
English model otherwise (always there, no download). Both stream: partial
text while the trainee speaks, a final utterance at the end.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SimulatorError
from . import RATE
from .noisefloor import NoiseFloor
from .posteriors import confidence, decoder_lattice_words
from .wav import Pcm, resample


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds from the start of the utterance
    end: float
    conf: float


@dataclass(frozen=True)
class Utterance:
    text: str
    words: tuple[Word, ...] = ()
    started_at: float = 0.0  # monotonic times of the utterance's first and last sample
    ended_at: float = 0.0
    engine: str = ""
    audio: bytes = field(default=b"", repr=False)  # the utterance's 16 kHz mono PCM, kept when the trainee allows

    @property
    def confidence(self) -> float | None:
        """How well the turn was heard: the mean of its words' confidences (the share of words likely heard
        right). The lowest word would call nearly every PocketSphinx turn unclear: some word always is."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else None

    @property
    def word_confidences(self) -> tuple[float, ...]:
        """One per whitespace-separated word of text, for the scorer."""
        if len(self.words) == len(self.text.split()):
            return tuple(w.conf for w in self.words)
        return ()


class Stream:
    """One utterance being recognised."""

    answers_later = False  # `heard` may be None for a while after `end_segment` (the pass runs elsewhere)

    def accept(self, pcm: bytes) -> str | None:
        """Feed 16 kHz audio; returns new partial text when there is some."""
        raise NotImplementedError

    def finish(self) -> tuple[str, tuple[Word, ...]]:
        """The reply's words; the stream is done with after this."""
        raise NotImplementedError

    def partial(self) -> str | None:
        """The words heard so far, now (for deciding whether a pause ends the reply); None if not known."""
        return None

    def end_segment(self) -> None:
        """A long pause: the speech so far is recognised as one stretch (the recogniser's final pass runs now);
        audio accepted after this starts the next stretch. Whether it runs as the pause begins or when the
        trainee speaks again, the recogniser does the same work on the same audio: the words are the same."""

    def heard(self) -> tuple[str, tuple[Word, ...]] | None:
        """The reply's words so far when every stretch of it has been recognised (after `end_segment`),
        without ending the stream; None when some of it is still being heard."""
        return None

    def skip(self, nbytes: int) -> None:
        """Audio of the reply the recogniser is not given (the middle of a long pause): word times stay
        times in the reply's recording."""


class Engine:
    name = ""

    def stream(self) -> Stream:
        raise NotImplementedError

    def transcribe(self, pcm: Pcm) -> Utterance:
        s = self.stream()
        data = resample(pcm, RATE).data
        for i in range(0, len(data), 3200):
            s.accept(data[i:i + 3200])
        text, words = s.finish()
        return Utterance(text, words, engine=self.name)


class VoskEngine(Engine):
    """One Model shared by all streams; one KaldiRecognizer per stream (they are not thread-safe)."""

    def __init__(self, model_dir: str | Path) -> None:
        import vosk
        vosk.SetLogLevel(-1)  # before loading, or Kaldi prints to stderr
        path = Path(model_dir)
        if not (path / "am").is_dir() or not (path / "conf").is_dir():
            raise SimulatorError(f"{path} is not a Vosk model folder (no am/ and conf/)",
                                 "install one with `simulator models install small-en-us`")
        self._vosk = vosk
        self.model = vosk.Model(str(path))  # a str: Model() fails on a Path
        self.name = f"vosk:{path.name}"

    def stream(self) -> Stream:
        return _VoskStream(self._vosk.KaldiRecognizer(self.model, RATE))


class _VoskStream(Stream):
    def __init__(self, recognizer) -> None:
        recognizer.SetWords(True)
        self.r = recognizer
        self.finals: list[dict] = []
        self._open = True  # audio since the last final result (Vosk's times count only the audio it is given)

    def accept(self, pcm: bytes) -> str | None:
        self._open = True
        if self.r.AcceptWaveform(pcm):
            result = json.loads(self.r.Result())
            if result.get("text"):  # silence gives empty finals every few seconds: skip them
                self.finals.append(result)
            return None
        partial = json.loads(self.r.PartialResult()).get("partial", "")
        done = " ".join(f["text"] for f in self.finals)
        return (done + " " + partial).strip() or None

    def end_segment(self) -> None:
        if self._open:
            last = json.loads(self.r.FinalResult())
            if last.get("text"):
                self.finals.append(last)
            self._open = False

    def heard(self) -> tuple[str, tuple[Word, ...]] | None:
        return None if self._open else self._result()

    def finish(self) -> tuple[str, tuple[Word, ...]]:
        self.end_segment()
        return self._result()

    def _result(self) -> tuple[str, tuple[Word, ...]]:
        words = tuple(Word(w["word"], w["start"], w["end"], float(w.get("conf", 1.0)))
                      for f in self.finals for w in f.get("result", []))
        return " ".join(f["text"] for f in self.finals).strip(), words


POOL_SIZE = 4


class SphinxEngine(Engine):
    """PocketSphinx with its bundled US English model: always available, less accurate."""

    name = "pocketsphinx:en-us"
    # Pruning: at most this many HMMs and distinct words ending per frame (PocketSphinx's defaults, 30000 and
    # all, cost twice the CPU of 3000 and 5). tests/bench/bench_decoder.py, conversation model, 40 validation
    # replies x 3 voices: 3000/5 word error 70.9 %, 0.59 s a reply; 10000/20 68.8 %, 1.0 s; the defaults
    # 68.9 %, 1.2 s. Human recordings 33.6 -> 32.7 % (generic model 32.3 % either way). Language weight was
    # no lever: lw 8 70.8 %, lw 10 74.4 % and human speech 53 %.
    SEARCH = {"maxhmmpf": 10000, "maxwpf": 20}
    # Live, no second (flat-lexicon) pass: PocketSphinx runs it over the whole stretch when the stretch ends, and it
    # was nearly all of the final pass (end_utt p50 265 ms, p95 532 ms, streaming 90 validation replies + 12 human
    # clips) and the tail of end of speech -> customer line. Without it end_utt takes p50 8 ms, p95 37 ms, and
    # streamed word error was no worse: espeak 48.4 -> 48.1 %, human recordings 38.1 -> 33.2 % (conversation
    # model). A recorded file read whole keeps it: nobody waits at its end, and read whole the human recordings
    # came out worse without it (conversation model 31.8 -> 34.1 %, generic 32.3 -> 30.9 %).
    LIVE = {"fwdflat": False}

    def __init__(self, lm: str | Path | None = None, accent: str = "general") -> None:
        """lm: a language model file to use instead of the bundled generic one (the domain model, domainlm.py);
        accent: the pronunciations to expect (accents.py: "general" or "british")."""
        from pocketsphinx import Decoder
        self._decoder_class = Decoder
        self._pool: list = []
        self._warm: set[int] = set()  # decoders (by id) that have heard a stretch of speech
        self._recorded: set[int] = set()  # decoders (by id) reading a recorded file, with the second pass
        self._reader = None  # reads a cold decoder's first stretch whole (_SphinxStream.end_segment)
        self._reader_lock = threading.Lock()
        self._lock = threading.Lock()
        self.decoders_made = 0  # each is ~100 MB: the pool is meant to keep this small
        self.lm = str(lm) if lm else None
        if self.lm:
            self.name = "pocketsphinx:en-us+domain"
        from .accents import installed_dictionary
        self.accent = accent
        if accent != "general":
            self.name += f"+{accent}"
        variants = installed_dictionary(accent)
        self.dict = str(variants) if variants else None

    def _decoder(self):
        with self._lock:
            if self._pool:
                return self._pool.pop()
        return self._new_decoder()

    def _new_decoder(self, live: bool = True):
        self.decoders_made += 1
        decoder = self._make(live)
        with self._lock:
            self._warm.discard(id(decoder))  # a freed decoder's id, now this new (cold) one's
            if live:
                self._recorded.discard(id(decoder))
            else:
                self._recorded.add(id(decoder))
        return decoder

    def _make(self, live: bool = True):
        options = {"lm": self.lm} if self.lm else {}
        if self.dict:
            options["dict"] = self.dict
        search = {**self.SEARCH, **self.LIVE} if live else self.SEARCH
        return self._decoder_class(samprate=RATE, logfn=os.devnull, **search, **options)

    def _is_warm(self, decoder) -> bool:
        with self._lock:
            return id(decoder) in self._warm

    def _warmed(self, decoder) -> None:
        with self._lock:
            self._warm.add(id(decoder))

    @contextmanager
    def _read_whole(self, audio: bytes):
        """A decoder that has read `audio` as one whole utterance, its features reset first: as a file is read."""
        with self._reader_lock:
            reader = self._whole_reader()
            reader.reinit_feat()
            reader.start_utt()
            reader.process_raw(audio, False, True)
            reader.end_utt()
            yield reader

    def warm_up(self) -> None:
        """Build a decoder now, on a loading thread, and the one that reads a first stretch whole. PocketSphinx
        holds the GIL for the ~0.6 s each takes, which would freeze the window at the trainee's first word."""
        decoder = self._new_decoder()
        self._release(decoder)
        with self._reader_lock:
            self._whole_reader()

    def _whole_reader(self):
        """The decoder that reads a first stretch whole, built once (call with _reader_lock held)."""
        if self._reader is None:
            self._reader = self._make()
        return self._reader

    def _release(self, decoder) -> None:
        with self._lock:
            if id(decoder) in self._recorded:  # searches differently from a live one (LIVE): not for the pool
                self._recorded.discard(id(decoder))
                return
            # Bounded: every transcription builds a fresh decoder (~100 MB) and hands it here, and an unbounded
            # pool grew a 600-file batch to 23 GB. A decoder that has heard speech is worth keeping for live use
            # (its cepstral mean is warm: a cold one misheard the first live sentence here), so keep a few.
            if len(self._pool) < POOL_SIZE:
                self._pool.append(decoder)

    def stream(self) -> Stream:
        return _SphinxStream(self)

    def transcribe(self, pcm: Pcm) -> Utterance:
        """A whole file at once: batch normalisation of the audio recognises short files better than streaming."""
        stream = _SphinxStream(self, self._new_decoder(live=False))  # fresh: nothing carried over from earlier audio
        stream.d.process_raw(NoiseFloor()(resample(pcm, RATE).data), False, True)
        self._warmed(stream.d)
        text, words = stream.finish()
        return Utterance(text, words, engine=self.name)


class _SphinxStream(Stream):
    """One reply, recognised as one PocketSphinx utterance per stretch of speech between long pauses."""

    def __init__(self, engine: SphinxEngine, decoder=None) -> None:
        self.engine = engine
        self.d = decoder or engine._decoder()
        # A decoder that has heard nobody yet normalises sound with a generic cepstral mean, and streamed that way
        # the first reply came out as nonsense ("This conversation is over." -> "if they are eager to show the
        # world loot", 6 syntheses in 6). Its first stretch is kept and read again whole by a second decoder, as
        # a file is (6 in 6 right); this one goes on as it was, so what it hears next is heard as before
        # (reading it on this decoder, features reset, misheard the words after the next pause).
        self._cold: bytearray | None = None if engine._is_warm(self.d) else bytearray()
        self._since = 0
        self._at = 0.0  # seconds of the reply so far, heard or skipped
        self._texts: list[str] = []  # the stretches recognised so far
        self._words: list[Word] = []
        self._in_utt = False
        self._behind = False  # end_segment left the decoder's own end of a stretch for catch_up
        self.defer_catch_up = False  # set by a caller that runs catch_up itself once the words are handed on
        self._floor = NoiseFloor()  # under digital silence (noisefloor.py)
        self._begin()

    def _begin(self) -> None:
        self.catch_up()
        self.d.start_utt()
        self._in_utt, self._offset = True, self._at

    def accept(self, pcm: bytes) -> str | None:
        if not self._in_utt:
            self._begin()
        pcm = self._floor(pcm)
        if self._cold is not None:
            self._cold += pcm
        self.d.process_raw(pcm, False, False)
        self._at += len(pcm) / 2 / RATE
        self._since += len(pcm)
        if self._since < RATE // 2 * 2:  # a partial every ~0.5 s is enough for the screen
            return None
        self._since = 0
        hyp = self.d.hyp()
        return self._joined(hyp.hypstr if hyp else "") or None

    def _joined(self, current: str) -> str:
        return " ".join(filter(None, [*self._texts, current]))

    def partial(self) -> str | None:
        hyp = self.d.hyp() if self._in_utt else None
        return self._joined(hyp.hypstr if hyp else "")

    def skip(self, nbytes: int) -> None:
        self._at += nbytes / 2 / RATE

    def end_segment(self) -> None:
        if not self._in_utt:
            return
        self._in_utt = False
        if self._cold:
            audio, self._cold = bytes(self._cold), None
            with self.engine._read_whole(audio) as reader:
                self._collect(reader)
            # The words came from the reader: this decoder's own end (its cepstral mean learning this voice)
            # can wait until the words are handed on (childengine.py), or until it hears the next stretch.
            self._behind = True
            if not self.defer_catch_up:
                self.catch_up()
        else:
            self.d.end_utt()
            self._collect(self.d)

    def catch_up(self) -> None:
        """Finish what `end_segment` left for later (a cold decoder's own end of its first stretch)."""
        if self._behind:
            self._behind = False
            self.d.end_utt()
            self.engine._warmed(self.d)

    def _collect(self, decoder) -> None:
        """The words of the stretch `decoder` has just finished, with their times and confidences."""
        hyp = decoder.hyp()
        text = hyp.hypstr if hyp else ""
        frame = 1 / 100  # PocketSphinx counts 10 ms frames
        segments = [seg for seg in decoder.seg() or ()  # None when nothing at all was recognised
                    if not seg.word.startswith(("<", "[")) and seg.word != "<sil>"]
        lattice = decoder_lattice_words(decoder) if segments else []
        for seg in segments:
            word = seg.word.split("(")[0]
            start, end = seg.start_frame * frame, seg.end_frame * frame
            # Without a lattice (a decoder that made none) there is no measure, as before: taken as heard.
            conf = confidence(word, start, end + frame, lattice) if lattice else 1.0
            self._words.append(Word(word, self._offset + start, self._offset + end, conf))
        if text:
            self._texts.append(text)

    def heard(self) -> tuple[str, tuple[Word, ...]] | None:
        return None if self._in_utt else (" ".join(self._texts), tuple(self._words))

    def finish(self) -> tuple[str, tuple[Word, ...]]:
        self.end_segment()
        self.catch_up()
        self.engine._release(self.d)
        return " ".join(self._texts), tuple(self._words)


@dataclass
class Recognizers:
    """The engine to use, and what to tell the trainee about it."""

    engine: Engine
    notice: str = ""
    extra: dict = field(default_factory=dict)


def open_recognizer(model_dir: str | Path | None = None, engine: str | None = None,
                    build_missing: str = "background", accent: str | None = None) -> Recognizers:
    """Vosk with the given or first installed model; PocketSphinx when there is none (with a notice).

    build_missing: what to do when the conversations' language model is not built yet (domainlm.domain_lm);
    a one-shot command passes "never", since a background build would die with it half done.
    accent: PocketSphinx's pronunciations, a setting's value ("auto" or None: from the locale; accents.py).
    """
    from .models import installed_models
    if engine == "pocketsphinx":
        sphinx, notice = sphinx_engine(build_missing, accent)
        return Recognizers(sphinx, notice)
    folder = Path(model_dir) if model_dir else next((m.path for m in installed_models()), None)
    if folder is not None:
        return Recognizers(VoskEngine(folder))
    if engine == "vosk":
        raise SimulatorError("no Vosk model is installed", "install one with `simulator models install small-en-us`")
    sphinx, notice = sphinx_engine(build_missing, accent)
    return Recognizers(sphinx, " ".join(filter(None, [
        "No Vosk model is installed, so the built-in PocketSphinx recogniser is used. "
        "For much better recognition: `simulator models install small-en-us`.", notice])))


def sphinx_engine(build_missing: str = "background", accent: str | None = None) -> tuple[SphinxEngine, str]:
    """PocketSphinx with the conversations' language model when it is on and built; otherwise the generic model,
    with a notice (the model is then built in the background for the next session, or building it failed)."""
    from .accents import chosen_accent
    from .domainlm import domain_lm
    notices: list[str] = []
    lm = domain_lm(notices.append, missing=build_missing)
    return SphinxEngine(lm, chosen_accent(accent)), " ".join(notices)


