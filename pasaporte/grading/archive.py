"""Folders as gzip'd tar archives, for the exchange: packed on one side, unpacked on the other
with limits, so that no archive can write outside its folder, hold links or devices, or
unpack into more bytes or files than allowed (a gzip bomb stops at the limit)."""
from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Never sent: local caches, checkpoints, and files the exchange itself owns.
SKIPPED_NAMES = {".ipynb_checkpoints", "__pycache__", "feedback", "timestamp.txt", ".DS_Store"}


class ArchiveError(ValueError):
    """An archive that cannot be accepted. `spanish` is for the person, str() for the log."""

    def __init__(self, reason: str, spanish: str):
        super().__init__(reason)
        self.spanish = spanish


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024  # unpacked, all files together
    max_files: int = 100


def files_of(folder: Path, suffix: str = "") -> list[Path]:
    """Regular files below folder (ending in suffix), skipping SKIPPED_NAMES and links, sorted."""
    found = []
    for path in sorted(folder.rglob("*" + suffix)):
        rel = path.relative_to(folder)
        if any(part in SKIPPED_NAMES for part in rel.parts) or path.is_symlink() or not path.is_file():
            continue
        found.append(path)
    return found


def pack(folder: Path, limits: Limits | None = None, suffix: str = "") -> bytes:
    """A .tar.gz of the regular files below folder (relative names). With limits, refuse early."""
    files = files_of(folder, suffix)
    if limits:
        total = sum(p.stat().st_size for p in files)
        check_totals(len(files), total, limits)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in files:
            info = tarfile.TarInfo(str(path.relative_to(folder).as_posix()))
            info.size = path.stat().st_size
            info.mtime = int(path.stat().st_mtime)
            info.mode = 0o644
            with open(path, "rb") as f:
                tar.addfile(info, f)
    return buffer.getvalue()


def check_totals(count: int, total: int, limits: Limits) -> None:
    if count > limits.max_files:
        raise ArchiveError(f"{count} files, more than the limit of {limits.max_files}",
                           f"La entrega tiene {count} archivos; el máximo es {limits.max_files}.")
    if total > limits.max_bytes:
        mb = limits.max_bytes / 1024 / 1024
        raise ArchiveError(f"{total} bytes, more than the limit of {limits.max_bytes}",
                           f"La entrega pesa {total / 1024 / 1024:.1f} MB; el máximo es {mb:.0f} MB. "
                           "Borra archivos grandes o salidas muy largas y vuelve a entregar.")


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or any(p.startswith("\\") for p in path.parts):
        raise ArchiveError(f"unsafe member name {name!r}", "La entrega contiene nombres de archivo no permitidos.")
    return path


def unpack(data: bytes, dest: Path, limits: Limits) -> list[str]:
    """Extract a .tar.gz into dest (which must not exist yet); return the relative names.
    Only regular files are written; the limits are counted while reading."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"not a tar.gz archive: {exc}", "El archivo recibido está dañado; vuelve a intentarlo.")
    names, total, entries = [], 0, 0
    dest.mkdir(parents=True)
    with tar:
        try:
            for member in tar:
                entries += 1  # folders count too: an archive of empty folders must not keep the service busy
                if entries > 2 * limits.max_files:
                    raise ArchiveError(f"more than {2 * limits.max_files} archive entries",
                                       f"La entrega tiene demasiadas carpetas y archivos; el máximo es "
                                       f"{limits.max_files} archivos.")
                path = safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise ArchiveError(f"member {member.name!r} is not a regular file",
                                       "La entrega contiene enlaces o archivos especiales, que no se aceptan.")
                if path.name in SKIPPED_NAMES or any(p in SKIPPED_NAMES for p in path.parts):
                    continue
                names.append(str(path))
                check_totals(len(names), total + member.size, limits)
                target = dest.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with open(target, "wb") as out:
                    while chunk := source.read(1024 * 1024):
                        total += len(chunk)
                        check_totals(len(names), total, limits)
                        out.write(chunk)
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            if isinstance(exc, ArchiveError):
                raise
            raise ArchiveError(f"broken archive: {exc}", "El archivo recibido está dañado; vuelve a intentarlo.")
    return names
