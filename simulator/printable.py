"""Text from records made safe to print in a terminal.

A reply or an imported name may hold terminal escape sequences, which a
terminal would obey (recolour, retitle, move the cursor, hide the rest of a
line) or bidirectional overrides that make text read backwards. Printing
them as visible escapes shows what is there without letting it act.
"""

from __future__ import annotations

import unicodedata

from .scenario.visible import BIDI

_BIDI = BIDI | set("\u200e\u200f\u061c")  # and the direction marks, which a terminal also obeys


def printable(text: object, keep_newlines: bool = False) -> str:
    out = []
    for ch in str(text):
        if keep_newlines and ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
