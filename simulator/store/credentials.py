"""Where the Learning Record Store's address and credentials are kept.

The address and user name go in lrs.json in the config folder. The password
goes in the OS keyring where there is a usable one, otherwise in a file
only the user can read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import SimulatorError
from .location import config_dir
from .private import private_dir, write_private
from .xapi import DEFAULT_BASE

SERVICE = "difficult-conversations-simulator-lrs"


@dataclass(frozen=True)
class LrsConfig:
    endpoint: str
    username: str
    password: str
    activity_base: str = DEFAULT_BASE
    where: str = "file"  # where the password is kept: keyring or file


def _keyring():
    """The keyring module when the OS offers a real keyring; None on a headless box."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "null" in type(backend).__name__.lower():
            return None
        return keyring
    except Exception:  # noqa: BLE001 - a broken keyring setup means: use the private file
        return None


def save(endpoint: str, username: str, password: str, activity_base: str = DEFAULT_BASE,
         folder: Path | None = None) -> str:
    folder = folder or config_dir()
    private_dir(folder)
    kr = _keyring()
    where = "file"
    if kr is not None:
        try:
            kr.set_password(SERVICE, username, password)
            where = "keyring"
        except Exception:  # noqa: BLE001 - any keyring failure falls back to the private file
            where = "file"
    if where == "file":
        write_private(folder / "lrs-password", password.encode("utf-8"))
    write_private(folder / "lrs.json", json.dumps({"endpoint": endpoint.rstrip("/"), "username": username,
                                                   "activity_base": activity_base, "password_in": where},
                                                  indent=2).encode())
    return where


def load(folder: Path | None = None) -> LrsConfig | None:
    folder = folder or config_dir()
    try:
        data = json.loads((folder / "lrs.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SimulatorError(f"the LRS settings in {folder / 'lrs.json'} cannot be read ({exc})",
                             "set them again with `simulator lrs configure`") from None
    where = data.get("password_in", "file")
    password = None
    if where == "keyring" and (kr := _keyring()) is not None:
        password = kr.get_password(SERVICE, data["username"])
    if password is None:
        try:
            password = (folder / "lrs-password").read_text(encoding="utf-8")
        except OSError:
            raise SimulatorError("the LRS password is missing", "set it again with `simulator lrs configure`") from None
    return LrsConfig(data["endpoint"], data["username"], password, data.get("activity_base", DEFAULT_BASE), where)
