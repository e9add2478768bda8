"""Domain exceptions: the core raises them, the faces (CLI, web) translate them for users."""

from __future__ import annotations


class SSPError(Exception):
    """An error a user can act on: the message says what, why and how to fix it."""


class NotFoundError(SSPError):
    """A named thing (area, batch, file) does not exist."""


class InputFileError(SSPError):
    """A whole input file cannot be read (empty, not a spreadsheet, wrong sheet)."""

    def __init__(self, path: str, message: str, fix: str) -> None:
        self.path = path
        self.fix = fix
        super().__init__(f"{path}: {message} Fix: {fix}")
