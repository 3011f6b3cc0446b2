"""`brief batch CLUSTERS...` and `brief export BRIEFING.json`.

Registered by `toolkit.cli` as `app.command("batch")(batch_cmd)` and `app.command("export")(export_cmd)`.
Thin: check the options, call `run_batch` / `export`, print; bad input is a one-line error and exit
code 2; a batch in which some cluster failed prints the report and exits 1. Until `toolkit.cli`
registers them, `python -m toolkit.cli.batch batch|export ...` runs the same commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ..errors import ToolkitError
from ._common import echo

if TYPE_CHECKING:
    from ..group.grouping import EventGroup

__all__ = ["batch_cmd", "export_cmd"]

EXIT_BAD_INPUT = 2
EXIT_SOME_FAILED = 1
ENGINE_NAMES = ("extractive", "openai", "local")


def _fail(message: str) -> NoReturn:
    echo(f"brief: error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def batch_cmd(
    clusters: Annotated[
        list[Path],
        typer.Argument(
            help="Cluster folders (or files): one briefing each; a `brief group --json` file: one per group."
        ),
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
    cite: Annotated[
        str | None,
        typer.Option(
            "--cite",
            help="Who finds each sentence's passages: model (it cites passage numbers) or local (it writes "
            "plain sentences; the checker finds the passages that hold them). Default: local.",
        ),
    ] = None,
) -> None:
    """Summarise many clusters; resumable (a re-run skips finished clusters and repeats no paid call)."""
    from ..batch.runner import VIAS, run_batch
    from ..plan.planning import CITE_MODES

    if engine is not None and engine not in ENGINE_NAMES:
        _fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if via not in VIAS:
        _fail(f"unknown --via {via!r}; use direct or batch-api")
    if concurrency < 1:
        _fail(f"--concurrency must be at least 1, got {concurrency}")
    if cite is not None and cite not in CITE_MODES:
        _fail(f"--cite {cite!r} is not known: choose one of {', '.join(CITE_MODES)}")
    missing = [str(c) for c in clusters if not c.exists()]
    if missing:
        _fail(f"{missing[0]}: no such cluster folder or file (pass folders of articles, one per cluster)")
    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file; pass a folder for the briefings")
    todo: list[str | EventGroup] = []
    for c in clusters:
        groups = _event_groups(c)
        todo.extend(groups if groups is not None else [str(c)])
    try:
        report = run_batch(
            todo, out, engine=engine, model=model, words=words,
            concurrency=concurrency, progress=progress, via=None if via == "direct" else via,
            context=context, max_cost=max_cost, cite=cite,
        )  # fmt: skip
    except ToolkitError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write to {out}: {e.strerror or e}")
    echo(str(report))
    if not report.ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def _event_groups(path: Path) -> list[EventGroup] | None:
    """The groups of a `brief group --json` file (one cluster each), or None for any other input."""
    from ..group.grouping import EventGroup

    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not readable as JSON here: loaded as an article file, which reports the problem
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list) or "assignments" not in data:
        return None
    try:
        return [EventGroup.model_validate(g) for g in data["groups"]]
    except ValueError:
        _fail(f"{path}: looks like a brief group --json file but its groups are malformed; make it again")


def export_cmd(
    briefing_json: Annotated[
        Path, typer.Argument(help="A briefing JSON (brief summarize --json, brief batch).")
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", help="md, html or docx (default: from the --out suffix, else md)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (md and html print to stdout without it or with -).")
    ] = None,
) -> None:
    """Export a briefing as Markdown with footnotes, standalone HTML, or DOCX with footnotes."""
    from pydantic import ValidationError

    from ..briefing import Briefing
    from ..pipeline import rechecked
    from ..view.exports import FORMATS, export, to_html, to_markdown_footnotes

    if format is not None and format not in ("md", "html", "docx"):
        _fail(f"unknown --format {format!r}; use md, html or docx")
    if out is not None and str(out) == "-":
        out = None  # `--out -` is stdout
    chosen = format or (FORMATS.get(out.suffix.lower()) if out is not None else "md")
    if chosen is None:
        _fail("say which format: --format md|html|docx, or an --out file ending in .md, .html or .docx")
    if chosen == "docx" and out is None:
        _fail("--format docx needs --out FILE.docx")
    try:
        data = briefing_json.read_bytes()
    except OSError as e:
        _fail(f"{briefing_json}: cannot read ({e.strerror or e}); pass a briefing JSON file")
    not_a_briefing = (
        f"{briefing_json}: not a briefing JSON (make one with brief summarize --json FILE or brief batch)"
    )
    try:
        briefing = Briefing.from_json(data)
    except (ValidationError, ValueError):
        _fail(not_a_briefing)
    try:  # statuses are re-checked, never trusted from the file
        briefing, changed = rechecked(briefing)
        if changed:
            echo(
                f"brief: {changed} stored statuses did not match the citations; exported as re-checked",
                err=True,
            )
        if out is None:
            echo(to_markdown_footnotes(briefing) if chosen == "md" else to_html(briefing), nl=False)
            return
        export(briefing, out, chosen)
    except ToolkitError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {out}: {e.strerror or e}")
    except (ValueError, KeyError, IndexError, TypeError) as e:  # crafted JSON: ids, offsets, shapes
        _fail(f"{not_a_briefing}; it is inconsistent ({type(e).__name__}: {' '.join(str(e).split())[:120]})")
    echo(f"brief: wrote {out}", err=True)


if __name__ == "__main__":
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    app.command("batch")(batch_cmd)
    app.command("export")(export_cmd)
    app()
