"""What of a typed or heard reply is kept: its words, without the characters that change how words show.

A reply pasted from a terminal can carry escape sequences, and one pasted from
a web page a right-to-left override (U+202E), after which the rest of the
reply reads backwards in a report. A session bundle refuses both (its text
is untrusted input, store/bundleschema.py), so a session that kept them
could be exported but never imported. The engine therefore keeps a reply
without them, and no longer than a bundle holds.
"""

from __future__ import annotations

from ..scenario.visible import unkept

MAX_REPLY = 20_000  # characters; a minute of speech is about 900


def kept(text: str) -> str:
    """The text without the characters `unkept` names."""
    if text.isprintable():  # the common case, and fast
        return text
    return "".join(ch for ch in text if not unkept(ch))
