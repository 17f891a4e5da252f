"""Whose sessions a command may show, when the organisation's policy sets a review passphrase.

The same rule as review mode: without the passphrase, only the sessions of
the trainee named in the settings (the name the app asks for) are shown;
with it, everyone's. It keeps a curious colleague on a shared laptop out of
other trainees' sessions; it is not access control against someone who
reads the data folder's files or types another trainee's name (see README,
"What is protected").
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..access import check_passphrase
from ..errors import SimulatorError
from ..scenario import load_policy
from ..settings import load_settings

ENV_PASSPHRASE = "SIMULATOR_REVIEW_PASSPHRASE"


@dataclass(frozen=True)
class Access:
    only: str | None  # the one trainee whose sessions may be shown; None: everyone's

    def allows(self, trainee: str) -> bool:
        return self.only is None or trainee == self.only

    def check(self, trainee: str, session_id: str) -> None:
        if not self.allows(trainee):
            raise SimulatorError(f"session {session_id[:8]} is another trainee's",
                                 "your organisation keeps other trainees' sessions behind the review passphrase: "
                                 f"add --all (it asks for the passphrase, or reads ${ENV_PASSPHRASE})")


def add_arguments(p: argparse.ArgumentParser, policy: bool = True) -> None:
    p.add_argument("--all", action="store_true", dest="all_trainees",
                   help="every trainee's sessions (asks for the review passphrase when the policy sets one)")
    if policy:
        p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")


def access(args: argparse.Namespace, purpose: str = "show other trainees' sessions") -> Access:
    """Everyone's sessions when no passphrase is set or the right one is given; otherwise the settings' trainee's."""
    stored = load_policy(getattr(args, "policy", None)).review_passphrase
    if not stored:
        return Access(None)
    if getattr(args, "all_trainees", False):
        given = os.environ.get(ENV_PASSPHRASE)
        if given is None and sys.stdin.isatty():
            given = getpass.getpass("Review passphrase: ")
        if given is None:
            raise SimulatorError(f"the review passphrase is needed to {purpose}",
                                 f"run it in a terminal to be asked, or set ${ENV_PASSPHRASE}")
        if not check_passphrase(given, stored):
            raise SimulatorError("that is not the review passphrase", "ask your training lead for it")
        return Access(None)
    trainee = load_settings()[0].trainee.strip()
    whose = f"{trainee}'s sessions" if trainee else "no sessions (no trainee name is set in the app)"
    print(f"note: showing only {whose}; --all shows every trainee's (it asks for the review passphrase)",
          file=sys.stderr)
    return Access(trainee)
