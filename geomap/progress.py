"""Progress for a person at a terminal, decided in one place: bars and notes on stderr when it is a
terminal, nothing when it is a pipe or a file (where they would only be noise in a log)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def at_terminal() -> bool:
    return sys.stderr.isatty()


def note(message: str) -> None:
    """One line of progress ("building gazetteer: countries…")."""
    if at_terminal():
        print(f"geomap: {message}", file=sys.stderr, flush=True)


def counted(items: Iterable[T], unit: str = "doc") -> Iterator[T]:
    """`items`, counted on a bar as they pass."""
    if not at_terminal():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, unit=unit, file=sys.stderr)


def byte_bar(label: str) -> Callable[[int, int], None] | None:
    """A bar of bytes with a speed, moved by calling it with (bytes done, total; 0 if unknown) and
    closed when done reaches a known total; None when not at a terminal."""
    if not at_terminal():
        return None
    from tqdm import tqdm

    bars: list = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total or None, unit="B", unit_scale=True, desc=label, file=sys.stderr))
        bars[0].update(done - bars[0].n)
        if total and done >= total:
            bars[0].close()

    return update
