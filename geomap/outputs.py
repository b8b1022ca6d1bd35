"""Output files that never destroy a user's file: an output that is an input is refused, a file
that is not a regular file is never replaced, and every output is written to a temporary file
beside it, renamed into place only when complete.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from geomap.errors import InputError, OutputError
from geomap.inputs.reading import file_kind

NAME_MAX = 255
"""The longest file name (in bytes) of the usual file systems (ext4, APFS, NTFS in UTF-16 units)."""
_TAIL = re.compile(r"\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp")
"""The end of a temporary output's name: the writing process and a random tag. Nothing else is
ours to remove, whatever it looks like."""
_TAIL_BYTES = len(".4294967295.00000000.tmp")
"""The most the end of a temporary's name takes (the largest process id)."""


def refuse_overwriting(inputs: Iterable[str | Path | None], outputs: Iterable[Path | None]) -> None:
    """Refuse, before any work, an output that is one of the inputs (by name, symbolic link or hard
    link), "-" as an output, and one file named as two outputs."""
    sources = [Path(i) for i in inputs if i is not None and str(i) != "-" and _exists(Path(i), InputError)]
    named = [output for output in outputs if output is not None]
    if any(str(output) == "-" for output in named):
        raise InputError("-: an output is written to a file, not standard output; give a file name")
    for i, output in enumerate(named):
        if any(os.path.realpath(output) == os.path.realpath(other) for other in named[:i]):
            raise InputError(f"{output}: given as two outputs; give each its own file name")
    for output in named:
        if not _exists(output, OutputError):
            continue
        for source in sources:
            if os.path.samefile(output, source):
                raise InputError(f"{output}: is the input {source}; refusing to overwrite it (choose another output)")


def _exists(path: Path, error: type[InputError | OutputError]) -> bool:
    """Whether `path` exists; a name the system cannot take (over 255 bytes) is that error, naming it."""
    try:
        return path.exists()
    except OSError as exc:
        raise error(f"{path}: cannot use this file name ({exc.strerror})") from None


def temporary_prefix(target: Path) -> str:
    """The start of the names of `target`'s temporaries: a dot and its name, cut (at a character's
    end) so that a whole temporary name fits in NAME_MAX bytes beside an output of any legal name."""
    name = target.name
    while len(os.fsencode(name)) > NAME_MAX - 1 - _TAIL_BYTES:
        name = name[:-1]
    return "." + name


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files that killed runs left beside `target`: named as ours, after a process that is gone."""
    prefix = temporary_prefix(target)
    for entry in os.scandir(target.parent):
        if not entry.name.startswith(prefix):
            continue
        found = _TAIL.fullmatch(entry.name[len(prefix):])
        if found and not _running(int(found["pid"])):
            with suppress(OSError):  # another run removed it first, or it is not ours to remove
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # someone else's process; a number no process has
        return True
    return True


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file beside `target`, named after this process; created 0o666 less the umask."""
    prefix = temporary_prefix(target)
    while True:
        tmp = target.parent / f"{prefix}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


def _output_target(path: Path) -> Path:
    """The file an output replaces: a symbolic link's target (the link itself is kept), and, if it
    exists, only a regular file: a FIFO, device or socket is never replaced by a file."""
    try:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path}: is {file_kind(mode)}, not a regular file; refusing to replace it")
    return target


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place only on success; a file
    replaced keeps its mode, a new one gets what the umask allows."""
    target = _output_target(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        kept_mode = _mode(target)
        tmp, fd = _temporary(target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else "\n") as fh:
            yield fh
        if kept_mode is not None:
            os.chmod(tmp, kept_mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)
