"""The organisation's review passphrase, kept only as a salted scrypt hash in the policy file.

This keeps a curious colleague out of other trainees' sessions on a shared
laptop; it is not encryption (the session records themselves are readable
by anyone who can read the data folder).
"""

from __future__ import annotations

import hashlib
import hmac
import os

_N, _R, _P = 2 ** 14, 8, 1


def hash_passphrase(passphrase: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_passphrase(passphrase: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(passphrase.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)
