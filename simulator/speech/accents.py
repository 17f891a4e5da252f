"""Pronunciations for speakers who drop their r's: PocketSphinx's dictionary with a second way to say each word.

PocketSphinx's dictionary (cmudict-en-us) is American: "car" is K AA R, "better" B EH T ER. Most speakers
in England, Wales, Australia and much of the world say no r before a consonant or at the end of a word
(non-rhotic speech), and the recogniser then hears other words. Each entry with such an r gets a variant
without it: the vowel alone ("car" K AA, "more" M AO), a centring glide after a close or mid vowel ("here"
HH IY AH, "care" K EH AH), and the r-coloured ER as AH ("better" B EH T AH, "nurse" N AH S). An r before a
vowel stays ("very", "carry"). The American entries stay, so American speech has its pronunciations too.

tests/bench/bench_decoder.py, conversation model, 40 validation replies x 6 espeak-ng voices: mean word error
67.9 -> 66.5 %, the British voice 76.0 -> 72.6 % (150 wpm) and 71.6 -> 68.9 % (190 wpm), the American one
62.5 -> 64.7 % and 67.1 -> 68.1 %; spoken macro-F1, mean of the voices, 0.487 -> 0.524; human recordings
32.7 -> 31.8 %; out-of-script sentences 77.5 -> 76.6 %.

The British accent (`british`, chosen in Settings or from an en_GB locale) adds one more variant per word:
the vowels of England's south as PocketSphinx's American phones hear them, r's dropped as well. Its TRAP
vowel ("and", "have", "can't", "after") is open, [a], which the American model hears as AA, not AE:
PocketSphinx's phone recogniser heard espeak-ng's en-gb "that", "chat", "back" and "and" with AA. Measured
one rule at a time (bench_decoder.py, 40 validation replies, conversation model): TRAP as AA took the en-gb
voice from 70.6 to 64.4 % word error and received pronunciation from 73.0 to 72.1 %, but made the American
voices worse (64.4 -> 66.7 %, 66.7 -> 68.2 %): a variant is a chance of mishearing for a speaker who never
says it, so it is a choice of accent, not added for everyone. GOAT as EH UW or AH UW, LOT as AO and CURE as
AO ("sure", "your") did not help (README, "Hearing British speakers").

The file is made once (under a second), in the cache folder under a hash of the dictionary and these rules,
and read by every decoder; a built app carries both accents' (build.spec).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

log = logging.getLogger("simulator.speech")

RULES_VERSION = 1  # part of the file's name: a change to the rules makes a new file
ACCENTS = ("general", "british")  # general: American pronunciations, and each without its r's
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
GLIDE_AFTER = frozenset("IH IY EH EY UH UW".split())  # "here", "care", "tour": the r becomes a schwa


def without_r(phones: list[str]) -> list[str]:
    """The non-rhotic way to say a word: no r unless a vowel follows it."""
    out: list[str] = []
    for i, phone in enumerate(phones):
        before_vowel = i + 1 < len(phones) and phones[i + 1] in VOWELS
        if phone == "R" and not before_vowel:
            if out and out[-1] in GLIDE_AFTER:
                out.append("AH")
        elif phone == "ER" and not before_vowel:
            out.append("AH")
        else:
            out.append(phone)
    return out


def southern_british(phones: list[str]) -> list[str]:
    """A word as England's south says it, in American phones: the open TRAP vowel, and no r's."""
    return without_r(["AA" if phone == "AE" else phone for phone in phones])


def with_variants(lines: list[str], accent: str = "general") -> list[str]:
    """Every entry as it was, then a numbered variant, word(N), for each pronunciation that loses an r (and,
    for the British accent, for each as England's south says it)."""
    ways = [without_r] + ([southern_british] if accent == "british" else [])
    count: dict[str, int] = {}
    for line in lines:
        parts = line.split()
        if parts:
            word = re.sub(r"\(\d+\)$", "", parts[0])
            count[word] = count.get(word, 0) + 1
    out, added = list(lines), set()
    for line in lines:
        parts = line.split()
        if len(parts) < 2:
            continue
        word = re.sub(r"\(\d+\)$", "", parts[0])
        for way in ways:
            variant = way(parts[1:])
            if variant and variant != parts[1:] and (word, tuple(variant)) not in added:
                added.add((word, tuple(variant)))
                count[word] += 1
                out.append(f"{word}({count[word]}) {' '.join(variant)}")
    return out


def dictionary(source: Path, folders: list[Path], accent: str = "general") -> Path | None:
    """The dictionary with an accent's variants: found in one of `folders` (a built app's, then the cache), or
    made in the last of them. None, with a log line, if it can be neither found nor written: the decoder then
    uses `source`."""
    data = source.read_bytes()
    key = hashlib.sha256(data + f"\0rules {RULES_VERSION}".encode()).hexdigest()[:16]
    name = f"{source.stem}+{'nonrhotic' if accent == 'general' else accent}-{key}.dict"
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    target = folders[-1] / name
    part = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, part = tempfile.mkstemp(prefix=name, suffix=".part", dir=target.parent)  # one per writer
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(with_variants(data.decode("utf-8").splitlines(), accent)) + "\n")
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it takes the name: a cut-off file would be reused
        os.replace(part, target)  # another process making the same file writes the same bytes
    except OSError as exc:
        if part is not None and os.path.exists(part):
            os.unlink(part)
        if target.is_file():  # made by another process meanwhile (Windows refuses to replace an open file)
            return target
        log.warning("could not write the pronunciation variants (%s); using the American dictionary alone", exc)
        return None
    return target


def locale_accent(environ: dict | None = None) -> str:
    """The accent a trainee's locale suggests: British for en_GB, the general one for anything else."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "british" if value.lower().replace("-", "_").startswith("en_gb") else "general"
    return "general"


def chosen_accent(setting: str | None) -> str:
    """The accent a setting ("auto", "general", "british", or None) asks for."""
    return setting if setting in ACCENTS else locale_accent()


def installed_dictionary(accent: str = "general") -> Path | None:
    """The variants of PocketSphinx's own dictionary for an accent, as the product's decoders read them; None where
    SIMULATOR_ACCENTS=0 (American pronunciations alone, for comparison) or the file cannot be made."""
    if os.environ.get("SIMULATOR_ACCENTS", "").strip() == "0":
        return None
    from .domainlm import dictionary_file, lm_folder, shipped_folder
    try:
        return dictionary(dictionary_file(), [shipped_folder(), lm_folder()], accent)
    except OSError as exc:  # PocketSphinx's own dictionary unreadable: let the decoder say so
        log.warning("could not read PocketSphinx's dictionary: %s", exc)
        return None
