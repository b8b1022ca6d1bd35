"""Bounded, checked reads of what a user names: regular files only, UTF-8 text within the limit.

Only regular files are opened by name (a FIFO with no writer would block, /dev/zero never ends:
pipe a stream to "-" instead), and text is never guessed at.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from geomap.errors import InputError, InputTooLarge

MAX_TEXT_BYTES = 5_000_000
"""An article (or a JSON Lines line) larger than this (5 MB) is refused: it is not an article."""


def too_large(where: str, size: str) -> InputTooLarge:
    return InputTooLarge(f"{where}: {size} is over the {MAX_TEXT_BYTES:,}-byte limit for one article")


def check_text(data: bytes, where: str) -> str:
    """UTF-8 text within the limit, or refused clearly: text is never guessed at."""
    if len(data) > MAX_TEXT_BYTES:
        raise too_large(where, f"{len(data):,} bytes")
    if b"\x00" in data:
        raise InputError(f"{where}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (bad byte at offset {exc.start})") from None


def open_regular(path: str, what: str) -> BinaryIO:
    """Open `path` for reading only if it is a regular file; opened non-blocking, so a FIFO with
    no writer is refused at once instead of hanging."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"{path}: is {file_kind(mode)}, not {what}")
    return os.fdopen(fd, "rb")


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    return ("a directory" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")
