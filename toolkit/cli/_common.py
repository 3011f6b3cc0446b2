"""What every `brief` subcommand shares: one-line errors with exit code 2, and writing outputs."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from ..errors import SourceError, ToolkitError
from ..text.files import write_atomic
from ..text.safe import terminal_safe, terminal_safe_json

__all__ = ["EXIT_BAD_INPUT", "STDOUT", "echo", "fail", "fail_on", "is_stdout", "write_output"]

EXIT_BAD_INPUT = 2


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print like `typer.echo`, without control characters: text from articles and models cannot
    clear the terminal, move the cursor or overprint a line (`safe_text.terminal_safe`)."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def fail(message: str) -> NoReturn:
    """Print `brief: error: ...` on one line to stderr and exit with code 2."""
    echo(f"brief: error: {' '.join(message.split())}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def fail_on(error: ToolkitError, goal: str = "go on with the others") -> NoReturn:
    """The error as one line; an unreadable input also says how to skip it."""
    if isinstance(error, SourceError):
        fail(f"{error} — fix or remove this input, or pass --skip-bad to {goal}")
    fail(str(error))


STDOUT = "-"


def is_stdout(path: Path | None) -> bool:
    """True when an output option was given as `-`: standard output, not a file named "-"."""
    return path is not None and str(path) == STDOUT


def write_output(path: Path, text: str, *, is_json: bool = False) -> None:
    """Write an output file and say so on stderr; a failure is a one-line error. A path of `-` is
    standard output (JSON keeps its hostile characters as `\\uXXXX` escapes there, so it still
    parses to the same value)."""
    if is_stdout(path):
        typer.echo(terminal_safe_json(text) if is_json else terminal_safe(text))
        return
    try:
        write_atomic(path, text)
    except OSError as e:
        fail(f"cannot write {path}: {e.strerror or e}")
    echo(f"brief: wrote {path}", err=True)
