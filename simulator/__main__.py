import sys

from .cli import main

# Guarded: the recogniser's child process re-imports this module (multiprocessing's spawn) and must not run the CLI.
if __name__ == "__main__":
    sys.exit(main())
