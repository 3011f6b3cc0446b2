"""`brief group FOLDER`: split a folder of mixed articles into event groups and print them.

Registered by `toolkit.cli` as `app.command("group")(group_cmd)`. Thin: load, call
`group_articles`, print the table (`str(Grouping)`), optionally write the JSON; bad input is a
one-line error and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .errors import SourceError, ToolkitError
from .grouping import group_articles
from .loading import load_articles

__all__ = ["group_cmd"]

EXIT_BAD_INPUT = 2


def _fail(message: str) -> NoReturn:
    typer.echo(f"brief: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def group_cmd(
    folder: Annotated[Path, typer.Argument(help="A folder of articles (or one .jsonl/.json file of many).")],
    threshold: Annotated[
        float | None,
        typer.Option(help="Fixed similarity cut in (0, 1]; default: relative to the folder (see docs)."),
    ] = None,
    max_days: Annotated[
        int | None,
        typer.Option("--max-days", help="Never keep articles more than this many days apart in one group."),
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip unreadable files (listed) instead of stopping.")
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the grouping as JSON here.")
    ] = None,
) -> None:
    """Split a folder of mixed articles into groups about one event each."""
    if not folder.exists():
        _fail(f"{folder}: no such file or folder (pass a folder of .txt/.md/.html/.json/.jsonl articles)")
    if threshold is not None and not 0.0 < threshold <= 1.0:
        _fail(f"--threshold must be in (0, 1], got {threshold}")
    if max_days is not None and max_days < 0:
        _fail(f"--max-days must be 0 or more, got {max_days}")
    try:
        articles = load_articles(str(folder), skip_bad=skip_bad)
        if not articles:
            _fail(f"{folder}: no articles found (supported: .txt .md .html .htm .json .jsonl)")
        grouping = group_articles(articles, threshold=threshold, max_days=max_days)
    except SourceError as e:
        _fail(f"{e} — fix or remove this input, or pass --skip-bad to group the others")
    except ToolkitError as e:
        _fail(str(e))
    for skipped in articles.skipped:
        typer.echo(f"brief: skipped {skipped}", err=True)
    typer.echo(str(grouping))
    if json_path is not None:
        try:
            json_path.write_text(grouping.model_dump_json(indent=2), encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {json_path}: {e.strerror or e}")
        typer.echo(f"brief: wrote {json_path}", err=True)
