"""Send labelled replies through a real speech round trip, as the shared dev set was made.

espeak-ng (en-us, 150 wpm) speaks each reply to a WAV file; sox resamples it
to 16 kHz mono (a filtered resampler: naive resampling aliases and ruins
recognition) and PocketSphinx recognises it with its bundled en-us model.
Needs the Debian packages espeak-ng and sox.
Writes the same JSON lines with `text` replaced by what was heard.

Run: .venv/bin/python tests/bench/speech_roundtrip.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from pocketsphinx import Decoder


def to_16k_mono(path: Path) -> bytes:
    out = path.with_suffix(".16k.wav")
    subprocess.run(["sox", str(path), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True)
    with wave.open(str(out)) as w:
        return w.readframes(w.getnframes())


def recognise(decoder: Decoder, pcm: bytes) -> str:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


def main(src: str, dst: str) -> None:
    decoder = Decoder(samprate=16000, logfn="/dev/null")
    rows = [json.loads(line) for line in Path(src).read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp, open(dst, "w") as out:
        wav = Path(tmp) / "line.wav"
        for row in rows:
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), row["text"]], check=True)
            heard = recognise(decoder, to_16k_mono(wav))
            out.write(json.dumps({**row, "text": heard}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
