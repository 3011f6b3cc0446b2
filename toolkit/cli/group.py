"""`brief group FOLDER`: split a folder of mixed articles into event groups and print them.

Registered by `toolkit.cli` as `app.command("group")(group_cmd)`. Thin: load, call
`group_articles`, print the table (`str(Grouping)`), optionally write the JSON; bad input is a
one-line error and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ToolkitError
from ..ingest.loading import load_articles
from ._common import echo, fail, fail_on, is_stdout, write_output

__all__ = ["group_cmd"]


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
        Path | None,
        typer.Option(
            "--json", help="Also write the grouping as JSON here (- for stdout, instead of the table)."
        ),
    ] = None,
) -> None:
    """Split a folder of mixed articles into groups about one event each."""
    if not folder.exists():
        fail(f"{folder}: no such file or folder (pass a folder of .txt/.md/.html/.json/.jsonl articles)")
    if threshold is not None and not 0.0 < threshold <= 1.0:
        fail(f"--threshold must be in (0, 1], got {threshold}")
    if max_days is not None and max_days < 0:
        fail(f"--max-days must be 0 or more, got {max_days}")
    from ..group.grouping import group_articles  # numpy/scipy: only when grouping

    try:
        articles = load_articles(str(folder), skip_bad=skip_bad)
        if not articles:
            fail(f"{folder}: no articles found (supported: .txt .md .html .htm .json .jsonl)")
        grouping = group_articles(articles, threshold=threshold, max_days=max_days)
    except ToolkitError as e:
        fail_on(e, "group the others")
    for skipped in articles.skipped:
        echo(f"brief: skipped {skipped}", err=True)
    if not is_stdout(json_path):  # with --json - stdout carries the JSON alone
        echo(str(grouping))
    if json_path is not None:
        write_output(json_path, grouping.model_dump_json(indent=2), is_json=True)
