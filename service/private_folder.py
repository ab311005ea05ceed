"""A folder the tracker keeps files in for itself (the CSV exports it has built, served again to
later downloads): made with mode 0700, and checked each time it is used. A folder that is a
symbolic link, belongs to another user or is writable by others could hold files planted by
someone else, served as the tracker's: it is not used, a log line says why, and the caller does
without (an export is then built each time).

Files in it are created under a new name of their own (mkstemp: O_CREAT | O_EXCL, so never
through a planted link) and renamed into place, and read with O_NOFOLLOW."""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("tracker.files")

# Each (folder, reason) is logged once per process, not on every request.
_reported: set[tuple[Path, str]] = set()


def usable(folder: Path) -> bool:
    """Whether the tracker may keep files in `folder`, made (mode 0700, and its parents) if
    missing: a real folder, not a link, owned by this process's user and writable by no one
    else. Otherwise False, with a warning naming the folder and what is wrong with it.
    Costs one lstat when the folder exists."""
    problem = unsafe_because(folder)
    if problem is None:
        return True
    if (folder, problem) not in _reported:
        _reported.add((folder, problem))
        log.warning(
            "not using %s to keep files: it %s; exports are built each time instead"
            " (set TRACKER_EXPORT_CACHE_DIR to a folder of the tracker's own, mode 0700)",
            folder,
            problem,
        )
    return False


def unsafe_because(folder: Path) -> str | None:
    """What makes `folder` unfit to keep the tracker's files (making it first if missing), or
    None when it is fit."""
    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass  # made by another worker meanwhile: checked below like any other
        except OSError as exc:
            return f"cannot be made ({exc.strerror})"
        try:
            found = os.lstat(folder)
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(found.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(found.st_mode):
        return "is not a folder"
    if found.st_uid != os.geteuid():
        return f"belongs to user {found.st_uid}, not to this process's user {os.geteuid()}"
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"is writable by others (mode {stat.S_IMODE(found.st_mode):04o})"
    return None


def open_kept(path: Path) -> BinaryIO | None:
    """A file kept in a usable folder, open for reading without following a link (None when it
    is missing, or is a link)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None
        raise
    found = os.fstat(descriptor)
    if not stat.S_ISREG(found.st_mode):
        os.close(descriptor)
        return None
    return os.fdopen(descriptor, "rb")
