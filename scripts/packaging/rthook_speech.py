# Runs in the built app before any of its code. The app bundles espeak-ng
# (library and voice data) on Linux so that a laptop with nothing installed
# can still speak; the library finds its data through ESPEAK_DATA_PATH, the
# folder that holds `espeak-ng-data`. A value the user set wins.
import os
import sys

_bundle = getattr(sys, "_MEIPASS", "")
if _bundle and os.path.isdir(os.path.join(_bundle, "espeak-ng-data")):
    os.environ.setdefault("ESPEAK_DATA_PATH", _bundle)
