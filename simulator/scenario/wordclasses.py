"""Named word lists (`words:` in a criteria library) that phrases use as @name.

One list of, say, ways to end a call serves every phrase that needs it, so
a new synonym is added once and every criterion understands it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_REF = re.compile(r"@([a-z][a-z0-9_]*)")


def references(phrase: str) -> list[str]:
    return _REF.findall(phrase)


def expand(phrase: str, words: Mapping[str, list[str]]) -> str:
    """Replace each @name by its alternatives: `a|b` inside a (...) group, `(a|b)` outside."""
    out, depth, i = [], 0, 0
    while i < len(phrase):
        ch = phrase[i]
        m = _REF.match(phrase, i)
        if m and m.group(1) in words:
            alternatives = "|".join(words[m.group(1)])
            out.append(alternatives if depth else f"({alternatives})")
            i = m.end()
            continue
        depth += ch == "("
        depth -= ch == ")"
        out.append(ch)
        i += 1
    return "".join(out)
