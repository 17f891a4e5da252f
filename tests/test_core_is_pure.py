"""The core (scenario, scoring, engine, store, and the app's settings and practice logic) imports no Qt and no audio library."""

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO

CORE = ["scenario", "scoring", "engine", "store", "settings", "practice", "access"]
# scikit-learn and SciPy fit the learned heads (`simulator train`) and nothing else: scoring runs on NumPy
# arrays. torch: the MiniLM weights are read with NumPy, never with the package that declares it.
FORBIDDEN = ("PySide6", "shiboken6", "sounddevice", "pyttsx3", "vosk", "pocketsphinx", "sklearn", "scipy", "torch")

# The one module that fits the heads may import the training tools, inside its functions.
TRAINING_ONLY = {"simulator/scoring/training.py": ("sklearn", "scipy")}

BLOCKER = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {FORBIDDEN!r}:
            raise ImportError('core imported ' + name)
sys.meta_path.insert(0, Block())
import importlib, pkgutil, simulator
for package in {CORE!r}:
    try:
        mod = importlib.import_module('simulator.' + package)
    except ModuleNotFoundError as exc:
        if exc.name == 'simulator.' + package:
            continue
        raise
    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), mod.__name__ + '.'):
        importlib.import_module(info.name)
print('clean')
"""


def test_core_imports_with_qt_and_audio_absent():
    out = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"


def test_no_core_source_file_names_a_forbidden_module():
    offenders = []
    for package in CORE:
        folder = REPO / "simulator" / package
        for path in folder.rglob("*.py") if folder.is_dir() else [folder.with_suffix(".py")]:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                where = Path(path).relative_to(REPO)
                offenders += [f"{where}: {n}" for n in names
                              if n.split(".")[0] in FORBIDDEN and n.split(".")[0] not in TRAINING_ONLY.get(str(where), ())]
    assert offenders == []
