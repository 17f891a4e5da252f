"""Characters a reader cannot see, shown in messages as U+XXXX.

An id holding a zero-width space looks like another id; one holding a
right-to-left override prints backwards; a control character is not shown by
most editors. A message that printed them as they are would point at nothing.
"""

from __future__ import annotations

import unicodedata

_CONTROL_NAMES = {0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "LINE FEED",
                  0x0B: "VERTICAL TAB", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESC", 0x7F: "DELETE"}


def hidden(text: str) -> list[str]:
    """The characters of `text` that do not show as themselves, each once, in order."""
    if text.isprintable():  # the common case, and fast
        return []
    return list(dict.fromkeys(ch for ch in text if not ch.isprintable()))


def code(ch: str) -> str:
    """'U+200B ZERO WIDTH SPACE'."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ord(ch), "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def shown(text: str) -> str:
    """The text with every character that does not show as itself written as <U+XXXX>."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in text)


def naming(chars: list[str]) -> str:
    """'U+200B ZERO WIDTH SPACE and U+202E RIGHT-TO-LEFT OVERRIDE'."""
    names = [code(ch) for ch in chars]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# Bidirectional embeddings, overrides and isolates: each makes the text after it show in another order.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unkept(ch: str) -> bool:
    """A control character other than a line break or tab, or a bidirectional control: what no text a session
    keeps may hold (engine/reply_text.py, store/bundleschema.py), since it changes how the words after it show."""
    return (ch not in "\n\t" and unicodedata.category(ch) == "Cc") or ch in BIDI
