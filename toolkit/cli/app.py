"""The `brief` command line. Thin: parse options, call the Python API, write files, map errors to exit 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ToolkitError
from ..pipeline import ENGINES, plan, summarize
from ._common import fail, fail_on, write_output
from .batch import batch_cmd, export_cmd
from .group import group_cmd
from .verify import verify_cmd

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Merged, cited briefings from many news articles about one event.",
)


@app.callback()
def _root() -> None:
    """Merged, cited briefings from many news articles about one event."""


Paths = Annotated[list[Path], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl).")]
Engine = Annotated[
    str | None,
    typer.Option(
        help=f"One of: {', '.join(ENGINES)}. Default: openai if an endpoint is configured, else extractive."
    ),
]
Model = Annotated[str | None, typer.Option(help="Model name (default: OPENAI_MODEL or gpt-4o-mini).")]
Words = Annotated[int, typer.Option(help="Word budget of the summary.")]
Out = Annotated[Path | None, typer.Option(help="Write the Markdown briefing here (default: print it).")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Also write the JSON briefing here.")]
SkipBad = Annotated[
    bool,
    typer.Option("--skip-bad", help="Skip unreadable inputs (listed in the output) instead of stopping."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan (tokens, calls, cost); spend nothing.")
]
MaxCost = Annotated[
    float | None, typer.Option("--max-cost", help="Refuse a plan estimated above this many USD.")
]
Context = Annotated[
    int | None, typer.Option(help="Context window in tokens, for models the toolkit does not know.")
]
Gguf = Annotated[
    Path | None, typer.Option(help="GGUF model file for --engine local (default: SmolLM2-135M).")
]


@app.command("summarize")
def summarize_cmd(
    paths: Paths,
    engine: Engine = None,
    model: Model = None,
    words: Words = 250,
    out: Out = None,
    json_path: JsonOut = None,
    skip_bad: SkipBad = False,
    dry_run: DryRun = False,
    max_cost: MaxCost = None,
    context: Context = None,
    gguf: Gguf = None,
) -> None:
    """Summarise articles into one cited briefing."""
    if engine is not None and engine not in ENGINES:
        fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    sources = [str(p) for p in paths]
    try:
        if dry_run:
            typer.echo(
                plan(
                    sources, model=model, words=words, skip_bad=skip_bad, context=context, max_cost=max_cost
                ).describe()
            )
            return
        briefing = summarize(
            sources,
            engine=engine,
            model=model,
            words=words,
            skip_bad=skip_bad,
            max_cost=max_cost,
            context=context,
            gguf=gguf,
        )
    except ToolkitError as e:
        fail_on(e)
    offline = (
        " (offline: no endpoint configured)" if engine is None and briefing.engine == "extractive" else ""
    )
    typer.echo(f"brief: engine {briefing.engine}, model {briefing.model}{offline}", err=True)
    for skipped in briefing.skipped:
        typer.echo(f"brief: skipped {skipped.error}", err=True)
    markdown = briefing.to_markdown()
    if out is not None:
        write_output(out, markdown)
    else:
        typer.echo(markdown)
    if json_path is not None:
        write_output(json_path, briefing.to_json())


app.command("verify")(verify_cmd)
app.command("group")(group_cmd)
app.command("batch")(batch_cmd)
app.command("export")(export_cmd)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("brief: interrupted", err=True)
        sys.exit(130)
