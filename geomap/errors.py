"""One exception tree, so the CLI can turn any expected failure into one line."""


class GeomapError(Exception):
    """A failure the user can act on; its message names the file and the problem."""

    exit_code = 1


class InputError(GeomapError):
    """An input file or text is missing, unreadable or malformed."""

    exit_code = 2


class GazetteerError(GeomapError):
    """The gazetteer is missing, unbuilt or a user gazetteer file is invalid."""

    exit_code = 3


class ModelError(GeomapError):
    """The spaCy pipeline named cannot be loaded."""

    exit_code = 4


class OutputError(GeomapError):
    """An output file cannot be written (a directory is in the way, no permission, disk full)."""

    exit_code = 5
