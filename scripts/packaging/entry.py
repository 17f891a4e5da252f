"""The built app's entry point: the same `main` as the `simulator` command.

PyInstaller runs its entry script outside any package, so this cannot be
`simulator/__main__.py` (which imports relatively).
"""

import sys

from simulator.cli import main

# Guarded: the recogniser's child process (multiprocessing's spawn) starts this same executable.
if __name__ == "__main__":
    sys.exit(main())
