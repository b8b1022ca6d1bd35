"""One exception tree, so the CLI can turn any expected failure into one line, and the exit statuses.

A library error names a parameter by its Python name in backticks ("`doc_timeout` must be …") and
lists it in `parameters`; the command line shows its own flag there instead (`cli.py`)."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What `geomap` exits with."""

    OK = 0
    INCOMPLETE = 1
    """The run went on, but some documents failed (`extract --jsonl`), or a search found nothing."""
    INPUT = 2
    GAZETTEER = 3
    MODEL = 4
    OUTPUT = 5
    BUG = 70
    """A bug in geomap (sysexits' EX_SOFTWARE), never a user's mistake."""
    INTERRUPTED = 130
    """Ctrl-C: 128 + SIGINT, as a shell reports it."""
    BROKEN_PIPE = 141
    """Standard output's reader went away (`geomap … | head`): 128 + SIGPIPE, as a shell reports it."""


class GeomapError(Exception):
    """A failure the user can act on; its message names the file (or parameter) and the problem."""

    exit_status = ExitStatus.INCOMPLETE

    def __init__(self, message: str = "", *, parameters: tuple[str, ...] = ()):
        super().__init__(message)
        self.parameters = parameters
        """The parameters the message names, each as `name` (in backticks)."""


class InputError(GeomapError, ValueError):
    """An input file, text, address or parameter is missing, unreadable or malformed."""

    exit_status = ExitStatus.INPUT


class InputTooLarge(InputError):
    """An input over its size limit, refused before it is read whole (a server answers 413)."""


class GazetteerError(GeomapError):
    """The gazetteer is missing, unbuilt or a user gazetteer file is invalid."""

    exit_status = ExitStatus.GAZETTEER


class ModelError(GeomapError):
    """The spaCy pipeline named cannot be loaded."""

    exit_status = ExitStatus.MODEL


class OutputError(GeomapError):
    """An output file cannot be written (a directory is in the way, no permission, disk full)."""

    exit_status = ExitStatus.OUTPUT
