"""`simulator say | transcribe | devices | models | doctor`: the speech layer from a terminal."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import SimulatorError
from ..speech.devices import SERVER_DEVICES, NoAudio, list_devices, server_routes
from ..speech.models import CATALOG, install, install_zip, installed_models, remove, verify
from ..speech.accents import ACCENTS
from ..speech.recognition import SphinxEngine, VoskEngine, open_recognizer
from ..speech.synthesis import VoiceSettings, open_synthesizer
from ..speech.wav import read_wav


def add_parsers(sub: argparse._SubParsersAction) -> None:
    say = sub.add_parser("say", help="speak text with the customer's voice engine (to a WAV file)")
    say.add_argument("text")
    say.add_argument("--voice", help="an engine voice name or id (see `simulator doctor`)")
    say.add_argument("--gender", choices=["female", "male", "any"], default="any")
    say.add_argument("--rate", type=int, default=175, help="words per minute")
    say.add_argument("--out", type=Path, help="write the WAV here (default: play it)")
    say.set_defaults(run=run_say)

    tr = sub.add_parser("transcribe", help="recognise the speech in a WAV file")
    tr.add_argument("wav", type=Path)
    tr.add_argument("--engine", choices=["vosk", "pocketsphinx"], help="default: Vosk if a model is installed")
    tr.add_argument("--model", type=Path, help="a Vosk model folder")
    tr.add_argument("--json", action="store_true", help="words with timings and confidences")
    tr.add_argument("--accent", choices=["auto", *ACCENTS], default="auto",
                    help="PocketSphinx's pronunciations (default: British for an en_GB locale, else general)")
    tr.set_defaults(run=run_transcribe)

    dv = sub.add_parser("devices", help="list microphones and speakers")
    dv.set_defaults(run=run_devices)

    md = sub.add_parser("models", help="speech recognition models: list, install, verify, remove")
    mc = md.add_subparsers(dest="action", metavar="ACTION", required=True)
    mc.add_parser("list", help="known and installed models").set_defaults(run=run_models_list)
    mi = mc.add_parser("install", help="download and install a model, or install one from a zip")
    mi.add_argument("name", nargs="?", help=f"one of: {', '.join(CATALOG)}")
    mi.add_argument("--from-zip", type=Path, metavar="FILE", help="install from a downloaded archive")
    mi.add_argument("--url", help="download from this address instead (a mirror inside your organisation)")
    mi.add_argument("--to", choices=["user", "bundled"], default="user",
                    help="the user data folder (default) or models/ beside the app, for packaging")
    mi.set_defaults(run=run_models_install)
    mc.add_parser("verify", help="check every installed model loads").set_defaults(run=run_models_verify)
    mr = mc.add_parser("remove", help="delete an installed model")
    mr.add_argument("name")
    mr.set_defaults(run=run_models_remove)

    dr = sub.add_parser("doctor", help="check speech, audio and models on this machine, with advice")
    dr.add_argument("--bench", action="store_true", help="also run the voice benchmark (about a minute)")
    dr.set_defaults(run=run_doctor)


def run_say(args: argparse.Namespace) -> int:
    synth, notice = open_synthesizer()
    if synth is None:
        raise SimulatorError(notice)
    out = args.out or Path(tempfile.mkdtemp()) / "say.wav"
    synth.render(args.text, VoiceSettings(args.gender, args.rate, 1.0, args.voice), out).result(timeout=60)
    if args.out:
        print(f"wrote {out} ({read_wav(out).seconds:.1f} s)")
        return 0
    try:
        from ..speech.playback import SoundDeviceSpeaker
        SoundDeviceSpeaker().play(out).wait()
    except NoAudio as exc:
        print(f"{exc.message}; pass --out FILE.wav to save it instead", file=sys.stderr)
        return 1
    return 0


def run_transcribe(args: argparse.Namespace) -> int:
    pcm = read_wav(args.wav)
    rec = open_recognizer(args.model, args.engine, build_missing="never", accent=args.accent)  # exits before a build could finish
    if rec.notice:
        print(rec.notice, file=sys.stderr)
    t = time.perf_counter()
    u = rec.engine.transcribe(pcm)
    took = time.perf_counter() - t
    if args.json:
        json.dump({"text": u.text, "engine": rec.engine.name, "seconds": round(pcm.seconds, 3),
                   "real_time_factor": round(took / pcm.seconds, 3) if pcm.seconds else None,
                   "words": [w.__dict__ for w in u.words]}, sys.stdout, indent=2)
        print()
    else:
        print(u.text)
    return 0


def run_devices(args: argparse.Namespace) -> int:  # noqa: ARG001
    try:
        devices = list_devices()
    except NoAudio as exc:
        print(f"{exc.message}. {exc.hint}.")
        return 0
    if not devices:
        print("no audio devices: replies are typed and the customer is shown as captions")
    routes = None
    if any(d.name in SERVER_DEVICES for d in devices):
        routes = server_routes() or "the sound server's own choice (pactl is not installed to say which)"
    for d in devices:
        kind = ", ".join(k for k, n in (("in", d.inputs), ("out", d.outputs)) if n)
        mark = " (default)" if d.is_default_input or d.is_default_output else ""
        leads = f"  -> {routes}" if d.name in SERVER_DEVICES else ""
        print(f"{d.index:>3}  {d.name}  [{kind}, {d.default_rate:.0f} Hz]{mark}{leads}")
    return 0


def run_models_list(args: argparse.Namespace) -> int:  # noqa: ARG001
    installed = installed_models()
    names = {m.name for m in installed}
    print("Known Vosk models:")
    for key, m in CATALOG.items():
        mark = "installed" if m.name in names else f"~{m.size_mb} MB"
        print(f"  {key:<14} {m.name:<30} {m.language}  {mark:<10} {m.note}")
    print("Installed:" if installed else "Installed: none (the built-in PocketSphinx recogniser is used)")
    for m in installed:
        print(f"  {m.name:<30} {m.where:<8} {m.path}")
    return 0


def _bar(done: int, total: int | None) -> None:
    if total:
        filled = int(30 * done / total)
        print(f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done >> 20} / {total >> 20} MB", end="", file=sys.stderr)
    else:
        print(f"\r  {done >> 20} MB", end="", file=sys.stderr)


def run_models_install(args: argparse.Namespace) -> int:
    from ..paths import resource_dir
    from ..store.location import data_dir
    folder = resource_dir("models") if args.to == "bundled" else data_dir() / "models"
    if args.from_zip:
        model = install_zip(args.from_zip, folder)
    elif args.name:
        model = install(args.name, _bar, folder, args.url)
        print(file=sys.stderr)
    else:
        raise SimulatorError("say which model", f"one of: {', '.join(CATALOG)}, or --from-zip FILE")
    problems = verify(model)
    if problems:
        raise SimulatorError(f"{model.name} was unpacked but {'; '.join(problems)}", "remove it and install again")
    print(f"installed {model.name} in {model.path}")
    return 0


def run_models_verify(args: argparse.Namespace) -> int:  # noqa: ARG001
    models = installed_models()
    if not models:
        print("no Vosk model is installed (the built-in PocketSphinx recogniser is used)")
        return 0
    bad = 0
    for m in models:
        problems = verify(m)
        bad += bool(problems)
        print(f"{'ok' if not problems else 'BROKEN':<7} {m.name}" + (f": {'; '.join(problems)}" if problems else ""))
    return 1 if bad else 0


def run_models_remove(args: argparse.Namespace) -> int:
    print(f"removed {remove(args.name).path}")
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    ok = True
    print("Speech synthesis:")
    synth, notice = open_synthesizer()
    if synth is None:
        ok = False
        print(f"  no - {notice}")
    else:
        out = Path(tempfile.mkdtemp()) / "doctor.wav"
        t = time.perf_counter()
        synth.render("Hello, this is a test.", VoiceSettings(), out).result(timeout=60)
        print(f"  yes - {synth.engine_name}, a short line renders in {(time.perf_counter() - t) * 1000:.0f} ms")
        if where := _espeak_library():
            print(f"  espeak-ng: {where}")
        shutil.rmtree(out.parent, ignore_errors=True)
    print("Audio devices:")
    try:
        devices = list_devices()
        ins = [d for d in devices if d.inputs]
        outs = [d for d in devices if d.outputs]
        print(f"  microphones: {len(ins)}; speakers: {len(outs)}")
        if not ins:
            print("  advice: without a microphone, replies are typed")
        if not outs:
            print("  advice: without a speaker, the customer's lines are captions only")
    except NoAudio as exc:
        print(f"  {exc.message}. {exc.hint}.")
    print("Recognition:")
    models = installed_models()
    print(f"  Vosk models: {', '.join(m.name for m in models) or 'none'}")
    engines = [VoskEngine(models[0].path)] if models else []
    engines.append(SphinxEngine())
    sample = _sample_speech(synth)
    for engine in engines:
        if sample is None:
            print(f"  {engine.name}: ready (no sample to time without synthesis)")
            continue
        t = time.perf_counter()
        u = engine.transcribe(sample)
        rtf = (time.perf_counter() - t) / sample.seconds
        verdict = "fine" if rtf <= 0.5 else "slow: close other programs, or use the small model"
        print(f"  {engine.name}: real-time factor {rtf:.2f} ({verdict}); heard \"{u.text}\"")
    if not models:
        print("  advice: `simulator models install small-en-us` for much better recognition (40 MB)")
    if peak := _peak_memory_mb():
        print(f"Peak memory: {peak} MB")
    if args.bench:
        bench = Path(__file__).resolve().parents[2] / "tests" / "bench" / "bench_voice.py"
        if bench.exists():
            return subprocess.call([sys.executable, str(bench)])
        print("the voice benchmark ships with the source checkout (tests/bench/bench_voice.py)")
    return 0 if ok else 1


def _espeak_library() -> str:
    """Which espeak-ng library and voice data speak: a built app brings its own (see build.spec)."""
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    library = getattr(getattr(espeak, "dll", None), "_name", None)
    if not library:
        return ""
    data = os.environ.get("ESPEAK_DATA_PATH")
    return f"{library}; voice data {'in ' + data if data else 'from the system'}"


def _peak_memory_mb() -> int | None:
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _sample_speech(synth):
    if synth is None:
        return None
    out = Path(tempfile.mkdtemp()) / "sample.wav"
    synth.render("Please stop swearing at me, or I will end this call.", VoiceSettings(rate=150), out).result(60)
    pcm = read_wav(out)
    shutil.rmtree(out.parent, ignore_errors=True)
    return pcm
