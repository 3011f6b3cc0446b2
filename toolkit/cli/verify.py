"""`brief verify SUMMARY.md PATH... [--json FILE]`: check every sentence and citation of a summary.

Thin like `toolkit.cli`: read the summary, call `toolkit.verify`, print each sentence with its
status and reason, then a digest of the comparison report; bad input is a one-line error, exit code 2.
Register it with `app.command("verify")(verify_cmd)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..briefing import Briefing
from ..cite.markers import format_marker
from ..errors import ToolkitError
from ..report import report_markdown
from ._common import EXIT_BAD_INPUT, echo, fail, fail_on, is_stdout, write_output

if TYPE_CHECKING:
    from ..chat.seam import ChatClient

__all__ = ["EXIT_BAD_INPUT", "EXIT_NOT_SUPPORTED", "render_checked", "verify_cmd"]

EXIT_NOT_SUPPORTED = 1


def verify_cmd(
    summary: Annotated[
        Path,
        typer.Argument(
            help="The summary to check: Markdown or text with [S1:3]-style markers, or a briefing JSON."
        ),
    ],
    paths: Annotated[
        list[Path], typer.Argument(help="The article files or folders it cites, in the same order.")
    ],
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write the checked briefing as JSON here (- for stdout, instead of the report).",
        ),
    ] = None,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge", help="Ask the configured LLM endpoint for a second opinion on each citation."
        ),
    ] = False,
    judge_mode: Annotated[
        str,
        typer.Option(
            "--judge-mode",
            help="With --judge: 'all' asks about every citation, 'auto' only about the sentences the fast "
            "check cannot settle (partial, disputed, several names or clauses), one call each.",
        ),
    ] = "all",
    model: Annotated[str | None, typer.Option(help="Model for --judge (default: OPENAI_MODEL).")] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip unreadable inputs instead of stopping.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 1 unless every sentence is supported.")
    ] = False,
    cite: Annotated[
        str,
        typer.Option(
            "--cite",
            help="model: check the citations as given (the default); local: first give each sentence "
            "without citations the passages that hold it (a summary written without markers).",
        ),
    ] = "model",
) -> None:
    """Check every sentence of a summary against the passages it cites, and compare it with all sources."""
    from ..ingest.loading import load_articles
    from ..pipeline import verify

    text = _read_summary(summary)
    given: str | Briefing = text
    if summary.suffix.lower() == ".json":  # a briefing JSON (brief summarize --json, brief batch)
        try:
            given = Briefing.from_json(text)
        except ValueError:
            fail(
                f"{summary}: not a briefing JSON (give the summary as Markdown or text with [S1:3] "
                "markers, or a JSON file from brief summarize --json)"
            )
    try:
        articles = load_articles([str(p) for p in paths], skip_bad=skip_bad)
        briefing = verify(
            given, articles, judge=_judge(model) if judge else None, judge_mode=judge_mode, cite=cite
        )
    except ToolkitError as e:
        fail_on(e)
    for skipped in briefing.skipped:
        echo(f"brief: skipped {skipped.error}", err=True)
    if not is_stdout(json_path):  # with --json - stdout carries the JSON alone
        echo(render_checked(briefing))
    if json_path is not None:
        write_output(json_path, briefing.to_json(), is_json=True)
    if strict and any(s.status != "supported" for s in briefing.sentences):
        raise typer.Exit(EXIT_NOT_SUPPORTED)


def _read_summary(path: Path) -> str:
    if not path.is_file():
        fail(f"{path}: summary file not found (give the Markdown or text file to check)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text (save the summary as UTF-8 Markdown or plain text)")
    except OSError as e:
        fail(f"{path}: cannot read the summary ({e.strerror or e})")


def _judge(model: str | None) -> ChatClient:
    from ..chat.cache import ResponseCache
    from ..chat.endpoint import EndpointConfig, announce
    from ..chat.llm import OpenAIChat

    config = EndpointConfig.from_env(model=model)
    if not config.is_configured():
        fail("--judge needs an LLM endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server)")
    announce(config)
    return OpenAIChat(config, cache=ResponseCache())


def render_checked(briefing: Briefing) -> str:
    """Each sentence as `[status] text [markers]` with its reason, then the comparison digest."""
    lines: list[str] = []
    for k, s in enumerate(briefing.sentences, 1):
        marker = format_marker(s.citations) or "[uncited]"
        lines.append(f"{k}. [{s.status}] {s.text} {marker}")
        if s.reason:
            lines.append(f"   {s.reason}")
        if s.note:
            lines.append(f"   note: {s.note}")
    if briefing.report is not None:
        lines += ["", report_markdown(briefing.report).rstrip()]
    return "\n".join(lines)
