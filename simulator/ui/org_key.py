"""The organisation's key for signed files (session and assignment bundles), asked for when none is set."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

from ..errors import SimulatorError
from .notices import show_error


def ask_for_key(parent: QWidget) -> bytes | None:
    """The key from the environment, else from a key file the person picks; None when there is none to use."""
    from ..store.bundle import NoOrganisationKey, organisation_key
    try:
        return organisation_key()
    except NoOrganisationKey:  # ask for the file
        path, _ = QFileDialog.getOpenFileName(parent, "The organisation's key file (bundles are signed with it)", "",
                                              "Key files (*.key *.txt);;All files (*)")
        if not path:
            return None
        try:
            return organisation_key(path)
        except SimulatorError as exc:
            show_error(parent, exc, "No key")
            return None
    except SimulatorError as exc:  # a key is set but cannot be used (too short, unreadable file): say so
        show_error(parent, exc, "The organisation's key cannot be used")
        return None
