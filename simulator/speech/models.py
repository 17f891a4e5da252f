"""Speech models: the known Vosk models, and installing one safely.

Downloads resume where they stopped, the archive is checked (zip CRCs and
the model's layout) before anything is installed, no path in the archive
may land outside the target folder, and a model appears in its folder
whole or not at all. Nothing here runs at import or start-up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import SimulatorError
from ..paths import resource_dir
from ..store.location import data_dir


@dataclass(frozen=True)
class KnownModel:
    key: str
    name: str  # the folder name inside the archive
    url: str
    size_mb: int
    language: str
    note: str


CATALOG = {m.key: m for m in [
    KnownModel("small-en-us", "vosk-model-small-en-us-0.15",
               "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip", 40, "en-us",
               "small and fast; good for most laptops"),
    KnownModel("en-us-lgraph", "vosk-model-en-us-0.22-lgraph",
               "https://alphacephei.com/vosk/models/vosk-model-en-us-0.22-lgraph.zip", 128, "en-us",
               "larger, more accurate, still supports grammars"),
    KnownModel("en-us", "vosk-model-en-us-0.22",
               "https://alphacephei.com/vosk/models/vosk-model-en-us-0.22.zip", 1800, "en-us",
               "the most accurate; needs a fast machine and several GB of memory"),
]}


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    where: str  # "bundled" (models/ beside the app) or "user"


def model_folders() -> list[tuple[str, Path]]:
    return [("bundled", resource_dir("models")), ("user", data_dir() / "models")]


def is_model(path: Path) -> bool:
    return (path / "am").is_dir() and (path / "conf").is_dir()


def installed_models() -> list[InstalledModel]:
    found = []
    for where, folder in model_folders():
        if folder.is_dir():
            found += [InstalledModel(p.name, p, where) for p in sorted(folder.iterdir())
                      if p.is_dir() and not p.name.startswith(".") and is_model(p)]
    return found


Progress = Callable[[int, int | None], None]  # bytes so far, total (None when unknown)


def download(url: str, target: Path, progress: Progress | None = None, timeout: float = 30) -> Path:
    """Fetch url into target, resuming a partial download left by an earlier try."""
    partial = target.with_name(target.name + ".part")
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to fetch: the partial file is complete
            partial.replace(target)
            return target
        raise SimulatorError(f"the model server answered {exc.code} for {url}", "check the model name, or try later") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SimulatorError(f"cannot reach {url} ({getattr(exc, 'reason', exc)})",
                             "this computer seems to be offline: download the zip on another computer and run "
                             "`simulator models install --from-zip FILE`") from None
    with response:
        resumed = response.status == 206
        total_header = response.headers.get("Content-Length")
        total = int(total_header) + (have if resumed else 0) if total_header else None
        done = have if resumed else 0
        with open(partial, "ab" if resumed else "wb") as out:
            try:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            except (OSError, urllib.error.URLError) as exc:
                raise SimulatorError(f"the download stopped at {done // (1 << 20)} MB ({exc})",
                                     "run the same command again: it resumes where it stopped") from None
    if total is not None and done != total:
        raise SimulatorError(f"the download stopped at {done // (1 << 20)} of {total // (1 << 20)} MB",
                             "run the same command again: it resumes where it stopped")
    partial.replace(target)
    return target


def install_zip(archive: Path, folder: Path | None = None, name: str | None = None) -> InstalledModel:
    """Check and unpack a model archive into folder (default: the user models folder), atomically."""
    folder = folder or data_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as z:
            bad = z.testzip()
            if bad is not None:
                raise SimulatorError(f"{archive} is damaged ({bad} fails its check)", "download it again")
            members = z.infolist()
            for m in members:
                _check_member(m, archive)
            staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=folder))
            try:
                for m in members:
                    z.extract(m, staging)
                root = _model_root(staging)
                if root is None:
                    raise SimulatorError(f"{archive} does not hold a Vosk model (no am/ and conf/ folders)",
                                         "check it is a model from the Vosk models page")
                target = folder / (name or (root.name if root != staging else archive.stem))
                _swap_in(root, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile:
        raise SimulatorError(f"{archive} is not a complete zip archive", "download it again") from None
    except FileNotFoundError:
        raise SimulatorError(f"no file at {archive}", "check the path") from None
    return InstalledModel(target.name, target, "user" if folder == data_dir() / "models" else "bundled")


def _check_member(m: zipfile.ZipInfo, archive: Path) -> None:
    p = PurePosixPath(m.filename)
    is_link = (m.external_attr >> 16) & 0o170000 == 0o120000
    if p.is_absolute() or ".." in p.parts or m.filename.startswith(("/", "\\")) or ":" in p.parts[0] or is_link:
        raise SimulatorError(f"{archive} contains '{m.filename}', which would land outside the model folder",
                             "this archive is unsafe; do not use it")


def _model_root(staging: Path) -> Path | None:
    if is_model(staging):
        return staging
    for p in sorted(staging.rglob("am")):
        if p.is_dir() and is_model(p.parent):
            return p.parent
    return None


def _swap_in(source: Path, target: Path) -> None:
    """Put the new model in place in one rename; an old one is removed only after."""
    fresh = target.with_name(f".{target.name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.move(str(source), fresh)
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def install(key: str, progress: Progress | None = None, folder: Path | None = None, url: str | None = None) -> InstalledModel:
    known = CATALOG.get(key)
    if known is None and url is None:
        raise SimulatorError(f"'{key}' is not a known model", f"known models: {', '.join(CATALOG)}")
    folder = folder or data_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f".{known.name if known else key}.zip"
    download(url or known.url, archive, progress)
    try:
        return install_zip(archive, folder, known.name if known else None)
    except SimulatorError:
        archive.unlink(missing_ok=True)  # a damaged download is not resumed: start clean next time
        raise
    finally:
        archive.unlink(missing_ok=True)


def verify(model: InstalledModel) -> list[str]:
    """What is wrong with an installed model (empty: nothing)."""
    problems = []
    for sub in ("am", "conf"):
        if not (model.path / sub).is_dir():
            problems.append(f"{sub}/ is missing")
    if not (model.path / "graph").is_dir() and not any(model.path.glob("**/HCLG.fst")):
        problems.append("graph/ is missing")
    if not problems:
        try:
            import vosk
            vosk.SetLogLevel(-1)
            vosk.Model(str(model.path))
        except Exception as exc:  # noqa: BLE001 - Vosk raises plain Exceptions for a bad model
            problems.append(f"Vosk cannot load it: {exc}")
    return problems


def remove(name: str) -> InstalledModel:
    for m in installed_models():
        if m.name == name or m.name == CATALOG.get(name, KnownModel("", "", "", 0, "", "")).name:
            shutil.rmtree(m.path)
            return m
    raise SimulatorError(f"no installed model '{name}'", "see `simulator models list`")
