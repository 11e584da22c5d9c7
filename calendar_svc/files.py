"""Atomic file writes: a reader sees the old file or the whole new one, never a part.

Each file is first written in full to a new temporary file beside its target (created
with ``O_EXCL`` and ``O_NOFOLLOW`` by :func:`tempfile.mkstemp`, so no existing file or
symbolic link is ever opened) and synced; only when every file is on disk are they
renamed over their targets (a rename replaces a symbolic link itself, never what it
points to), and the directories synced. On any error nothing is renamed, as far as a
file system allows, and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from calendar_svc.errors import CalendarSvcError
from calendar_svc.filemodes import document_mode

#: Permissions of published files (read by the web server serving the feeds), whatever
#: the service's umask. A document the user writes (:func:`write_atomic`: an export, a
#: draft, a preview) follows the umask instead, as any program's output does.
FILE_MODE = 0o644


class FileWriteError(CalendarSvcError):
    """A file could not be written; the previous file, if any, is unchanged."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"không ghi được tệp / cannot write {path}: {reason}")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _stage(path: Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to a new temporary file beside ``path``, synced; return its path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise FileWriteError(path, _reason(exc)) from exc
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        _discard(tmp)
        raise FileWriteError(path, _reason(exc)) from exc
    return tmp


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def replace_all(files: Mapping[Path, bytes], *, mode: int = FILE_MODE) -> None:
    """Stage every file, then rename them all over their targets (``mode``: permissions).

    Raises:
        FileWriteError: naming the file that failed; no target was replaced when staging
            failed (a full disk, a read-only directory), and every staged file is removed.
    """
    replace_each(files.items(), mode=mode)


def replace_each(files: Iterable[tuple[Path, bytes]], *, mode: int = FILE_MODE) -> None:
    """:func:`replace_all` for files that come one at a time (a generator): each is staged
    as it comes, so only the one being written is held in memory.

    Raises:
        FileWriteError: as for :func:`replace_all`; an exception from ``files`` itself
            also removes every staged file and replaces nothing.
    """
    staged: list[tuple[Path, Path]] = []
    targets: list[Path] = []
    try:
        for path, data in files:
            targets.append(path)
            staged.append((_stage(path, data, mode), path))
        while staged:
            tmp, path = staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise FileWriteError(path, _reason(exc)) from exc
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            _discard(tmp)
    for directory in {path.parent for path in targets}:
        _fsync_dir(directory)


def write_atomic(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically (creating its directory); return ``path``.

    The file is a document of the user's: its permissions follow the umask.

    Raises:
        FileWriteError: the file cannot be written (the old one is left as it was).
    """
    replace_all({path: data}, mode=document_mode())
    return path
