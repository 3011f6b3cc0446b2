"""`brief batch CLUSTERS...` and `brief export BRIEFING.json`.

Registered by `toolkit.cli` as `app.command("batch")(batch_cmd)` and `app.command("export")(export_cmd)`.
Thin: check the options, call `run_batch` / `export`, print; bad input is a one-line error and exit
code 2; a batch in which some cluster failed prints the report and exits 1. Until `toolkit.cli`
registers them, `python -m toolkit.cli.batch batch|export ...` runs the same commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ..errors import ToolkitError

__all__ = ["batch_cmd", "export_cmd"]

EXIT_BAD_INPUT = 2
EXIT_SOME_FAILED = 1
ENGINE_NAMES = ("extractive", "openai", "local")


def _fail(message: str) -> NoReturn:
    typer.echo(f"brief: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def batch_cmd(
    clusters: Annotated[
        list[Path], typer.Argument(help="Cluster folders (or files): one briefing per argument.")
    ],
    out: Annotated[
        Path, typer.Option(help="Folder for <cluster>.json, <cluster>.md and manifest.jsonl.")
    ] = Path("briefings"),
    engine: Annotated[
        str | None,
        typer.Option(help="extractive, openai or local. Default: openai if an endpoint is configured."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name (default: OPENAI_MODEL or gpt-4o-mini).")
    ] = None,
    words: Annotated[int, typer.Option(help="Word budget of each summary.")] = 250,
    concurrency: Annotated[int, typer.Option(help="Clusters summarised at the same time.")] = 4,
    via: Annotated[
        str,
        typer.Option(help="direct (calls now) or batch-api (OpenAI Batch API: half price, within 24 h)."),
    ] = "direct",
    context: Annotated[
        int | None, typer.Option(help="Context window in tokens, for models the toolkit does not know.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Refuse any cluster whose plan is above this many USD.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Summarise many clusters; resumable (a re-run skips finished clusters and repeats no paid call)."""
    from ..batch.runner import VIAS, run_batch

    if engine is not None and engine not in ENGINE_NAMES:
        _fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if via not in VIAS:
        _fail(f"unknown --via {via!r}; use direct or batch-api")
    if concurrency < 1:
        _fail(f"--concurrency must be at least 1, got {concurrency}")
    missing = [str(c) for c in clusters if not c.exists()]
    if missing:
        _fail(f"{missing[0]}: no such cluster folder or file (pass folders of articles, one per cluster)")
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file; pass a folder for the briefings")
    try:
        report = run_batch(
            [str(c) for c in clusters], out, engine=engine, model=model, words=words,
            concurrency=concurrency, progress=progress, via=None if via == "direct" else via,
            context=context, max_cost=max_cost,
        )  # fmt: skip
    except ToolkitError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write to {out}: {e.strerror or e}")
    typer.echo(str(report))
    if not report.ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def export_cmd(
    briefing_json: Annotated[
        Path, typer.Argument(help="A briefing JSON (brief summarize --json, brief batch).")
    ],
    format: Annotated[
        str | None, typer.Option("--format", help="md, html or docx (default: from the --out suffix).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (md and html print to stdout without it).")
    ] = None,
) -> None:
    """Export a briefing as Markdown with footnotes, standalone HTML, or DOCX with footnotes."""
    from pydantic import ValidationError

    from ..briefing import Briefing
    from ..view.exports import FORMATS, export, to_html, to_markdown_footnotes

    if format is not None and format not in ("md", "html", "docx"):
        _fail(f"unknown --format {format!r}; use md, html or docx")
    chosen = format or (FORMATS.get(out.suffix.lower()) if out is not None else None)
    if chosen is None:
        _fail("say which format: --format md|html|docx, or an --out file ending in .md, .html or .docx")
    if chosen == "docx" and out is None:
        _fail("--format docx needs --out FILE.docx")
    try:
        data = briefing_json.read_bytes()
    except OSError as e:
        _fail(f"{briefing_json}: cannot read ({e.strerror or e}); pass a briefing JSON file")
    try:
        briefing = Briefing.from_json(data)
    except (ValidationError, ValueError):
        _fail(
            f"{briefing_json}: not a briefing JSON (make one with brief summarize --json FILE or brief batch)"
        )
    if out is None:
        typer.echo(to_markdown_footnotes(briefing) if chosen == "md" else to_html(briefing), nl=False)
        return
    try:
        export(briefing, out, chosen)
    except ToolkitError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {out}: {e.strerror or e}")
    typer.echo(f"brief: wrote {out}", err=True)


if __name__ == "__main__":
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    app.command("batch")(batch_cmd)
    app.command("export")(export_cmd)
    app()
