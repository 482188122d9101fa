"""Read files of an untrusted directory (a build context) without leaving it.

Docker never follows a link out of the build context, and grading must not either: a
``requirements.txt`` that links to ``../../secret`` would put the secret's lines into the
findings, and one that links to ``/proc/kmsg`` or is a FIFO would block forever. So every
read of a context file goes through :func:`read_bytes`: the path is resolved (links inside
the context are followed, as COPY follows them), refused when it resolves outside the
root, opened without blocking and without following a last link, refused unless it is a
regular file, and read up to a size cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from checker.grading.safe_text import escape_name

MAX_FILE_BYTES = 1 << 20
"""Largest context file read (requirement files, pyproject.toml, .dockerignore)."""


class Unreadable(Exception):
    """Why a context file was not read; ``str()`` is a phrase for a finding."""


class Missing(Unreadable):
    """There is no such file (not worth a finding: most contexts lack most files)."""


def resolve(root: Path, relative: str) -> Path | None:
    """``root/relative`` with links resolved, or None when that leaves ``root``."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, relative))
    if target != base and not target.startswith(base.rstrip("/") + "/"):
        return None
    return Path(target)


def entry_exists(root: Path, relative: str) -> bool:
    """The context holds an entry (of any kind) at ``relative``; no link is followed out."""
    parent = resolve(root, os.path.dirname(relative) or ".")
    return parent is not None and os.path.lexists(parent / os.path.basename(relative))


def is_regular_file(root: Path, relative: str) -> bool:
    """``relative`` is (or links, inside the context, to) a regular file."""
    target = resolve(root, relative)
    try:
        return target is not None and stat.S_ISREG(os.stat(target).st_mode)
    except (OSError, ValueError):
        return False


def refusal(root: Path, relative: str) -> str | None:
    """Why the entry at ``relative`` would not be read (a link out, a FIFO, a device...),
    found without opening it; None when it is a regular file, a directory or absent."""
    if not entry_exists(root, relative):
        return None
    target = resolve(root, relative)
    if target is None:
        return f"{relative} is a link out of the build context (not read)"
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return f"{relative} is a broken link (not read)"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"{relative} is {_kind(mode)}, not a regular file (not read)"


def named_file(path: str, roots: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """The file to read for a Dockerfile the user named: ``path`` itself, or, when it is a
    link (``Dockerfile -> Dockerfile.prod``), the file it resolves to, as the docker CLI
    follows it. The user chose the name, but not always its target (a submission, a
    checkout): the link is followed only to a file inside its own folder or one of
    ``roots`` (the build context); Unreadable names the target otherwise, or the link is
    broken or a loop."""
    if not os.path.islink(path):
        return Path(path)
    try:
        shown = os.readlink(path)
    except OSError:
        shown = "?"
    try:
        os.stat(path)
    except OSError as error:
        problem = "a link loop" if error.errno == errno.ELOOP else "a broken link"
        raise Unreadable(f"{path} is {problem} to {shown} (not read)") from None
    target = os.path.realpath(path)
    folders = (os.path.dirname(os.path.abspath(path)), *roots)
    for folder in folders:
        base = os.path.realpath(folder).rstrip("/") + "/"
        if target.startswith(base):
            return Path(target)
    raise Unreadable(
        f"{path} is a link to {shown}, outside its folder"
        + (" and the build context" if roots else "")
        + " (not read: name the file it links to)"
    )


def read_bytes(root: Path, relative: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of context file ``relative``; Unreadable when it is a link out of the
    context, not a regular file, larger than ``limit``, or cannot be opened."""
    target = resolve(root, relative)
    if target is None:
        raise Unreadable(f"{relative} is a link out of the build context (not read)")
    return read_file(target, limit, relative)


def read_file(path: Path, limit: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """A regular file's bytes, read without blocking on a FIFO or device and up to
    ``limit``; Unreadable otherwise (``name`` is how messages call it)."""
    shown = name or str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise Missing(f"{shown} does not exist") from None
    except OSError as error:
        if error.errno == errno.ELOOP and os.path.islink(path):  # O_NOFOLLOW met a link
            raise Unreadable(f"{shown} is {link_problem(path)} (links are not followed)") from None
        raise Unreadable(f"{shown} cannot be read ({error.strerror or error})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(f"{shown} is {_kind(mode)}, not a regular file (not read)")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise Unreadable(f"{shown} cannot be read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise Unreadable(f"{shown} is larger than {limit:,} bytes (not read)")
    return data


def link_problem(path: Path) -> str:
    """What the link at ``path`` is, for a message: ``a broken link to T``, ``a link loop
    to T`` or ``a symbolic link to T`` (the target escaped for printing)."""
    try:
        target = os.readlink(path)
    except OSError:
        return "a symbolic link"
    try:
        os.stat(path)
    except OSError as error:
        problem = "a link loop" if error.errno == errno.ELOOP else "a broken link"
        return f"{problem} to {escape_name(target)}"
    return f"a symbolic link to {escape_name(target)}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"
