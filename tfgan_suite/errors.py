"""The library's exceptions: bad input, or a run it cannot read or go on
with, as one line saying what (an argument, a file), what was expected and
what was found.

Every one is a `ValueError`, so `except ValueError` catches them. The
library speaks of arguments: a message starts with the argument it is
about (`direction: ...`) and names any other argument as a caller writes
it (`pass resume=True`). The command-line programs (`tfgan_suite.commands`)
turn these into the words of their flags (`--direction: ...`,
`pass --resume`).
"""


class TfganError(ValueError):
    """Bad input or a state the suite cannot go on from, in one line."""


class ArgumentError(TfganError):
    """Argument `argument` has a value the suite cannot take; the message
    reads `<argument>: <what was expected, what was found>`."""

    def __init__(self, argument, message):
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class FileError(TfganError):
    """A file or folder at `path` (a run folder, checkpoint, model file,
    image) that cannot be read as expected, or a run that cannot go on as
    asked; the message reads `<path>: <why>`."""

    def __init__(self, path, message):
        self.path = path
        super().__init__(f"{path}: {message}")
