"""The `brief` command line. Thin: parse options, call the Python API, write files, map errors to exit 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import SourceError, ToolkitError
from .pipeline import ENGINES, summarize

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Merged, cited briefings from many news articles about one event.",
)

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    typer.echo(f"brief: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@app.callback()
def _root() -> None:
    """Merged, cited briefings from many news articles about one event."""


@app.command("summarize")
def summarize_cmd(
    paths: Annotated[
        list[Path], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl).")
    ],
    engine: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(ENGINES)}. Default: offline extractive.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name (for LLM engines and token counting).")
    ] = None,
    words: Annotated[int, typer.Option(help="Word budget of the summary.")] = 250,
    out: Annotated[
        Path | None, typer.Option(help="Write the Markdown briefing here (default: print it).")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON briefing here.")
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Skip unreadable inputs (listed in the output) instead of stopping."),
    ] = False,
) -> None:
    """Summarise articles into one cited briefing."""
    if engine is not None and engine not in ENGINES:
        _fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    try:
        briefing = summarize(
            [str(p) for p in paths], engine=engine, model=model, words=words, skip_bad=skip_bad
        )
    except SourceError as e:
        _fail(f"{e} — fix or remove this input, or pass --skip-bad to summarise the others")
    except ToolkitError as e:
        _fail(str(e))
    for skipped in briefing.skipped:
        typer.echo(f"brief: skipped {skipped.error}", err=True)
    markdown = briefing.to_markdown()
    try:
        if out is not None:
            out.write_text(markdown, encoding="utf-8")
            typer.echo(f"brief: wrote {out}", err=True)
        else:
            typer.echo(markdown)
        if json_path is not None:
            json_path.write_text(briefing.to_json(), encoding="utf-8")
            typer.echo(f"brief: wrote {json_path}", err=True)
    except OSError as e:
        _fail(f"cannot write output: {e}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("brief: interrupted", err=True)
        sys.exit(130)
