"""README.md quotes benchmark results; it holds no figures of its own.

Figures live in `<!-- results:NAME -->` ... `<!-- /results:NAME -->` blocks whose content is exactly
the body of `benchmarks/results/NAME.md` (`benchmarks/sync_readme.py` writes them). Outside those
blocks and outside code blocks, a number with a unit (%, x, s, ms, MB ...) fails the test unless it is
on the short allow-list of things that are not measurements.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from paths import ROOT

README = ROOT / "README.md"


def _sync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_readme", ROOT / "benchmarks" / "sync_readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("sync_readme", module)
    spec.loader.exec_module(module)
    return module


sync_readme = _sync()

# A number followed by a unit that makes it a measurement (or a ratio / share).
FIGURE = re.compile(
    r"(?<![\w.])[-+−]?\d[\d,]*(?:\.\d+)?\s?"
    r"(?:%|x\b|×|ms\b|s\b|sec\b|seconds?\b|min\b|minutes?\b|hours?\b|[KMG]B\b|[KMG]iB\b|points?\b|pp\b)"
)
# Not measurements: documented limits and settings, versions, the machine. Exact matches only.
ALLOWED = {
    "20 MB",  # `max_bytes`, the documented input limit
    "50 MB",  # the size of a bad file in the adversarial suite
    "190 MB",  # the Batch API's file limit
    "24 hours",  # the Batch API's completion window
    "14 minutes",  # run_all.py's time budget (a setting)
    "500s",  # HTTP 500 answers in the list of injected faults
}
# A Markdown table row with a decimal number (a score, a time) is a figure too.
TABLE_FIGURE = re.compile(r"^\|.*?(?<![\w.])\d+\.\d+(?![\w.]).*$", re.MULTILINE)


def prose(text: str) -> str:
    """`text` without results blocks, fenced code blocks, inline code and HTML comments."""
    text = sync_readme.BLOCK.sub("", text)
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


def figures(text: str) -> list[str]:
    body = prose(text)
    found = [m.group(0) for m in FIGURE.finditer(body) if m.group(0).strip() not in ALLOWED]
    return found + [m.group(0) for m in TABLE_FIGURE.finditer(body)]


def test_every_results_block_matches_its_results_file() -> None:
    assert sync_readme.stale(README.read_text(encoding="utf-8")) == []


def test_readme_holds_no_figure_outside_results_blocks() -> None:
    found = figures(README.read_text(encoding="utf-8"))
    assert found == [], f"figures outside <!-- results:NAME --> blocks: {found}"


def test_readme_quotes_at_least_one_results_file() -> None:
    assert sync_readme.blocks(README.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the check itself


@pytest.fixture
def results(tmp_path: Path) -> Path:
    (tmp_path / "quality.md").write_text(
        "# ROUGE\n\nMade by `python benchmarks/quality.py` at commit abc1234 on 2026-11-30.\n\n"
        "| system | R2 |\n|---|---:|\n| ours | 23.1 |\n\n## Raw input\n\n| system | R2 |\n| lead | 9.9 |\n",
        encoding="utf-8",
    )
    return tmp_path


def test_a_stale_block_is_reported_and_sync_fixes_it(results: Path) -> None:
    text = "Intro.\n\n<!-- results:quality -->\n| ours | 99.9 |\n<!-- /results:quality -->\n\nEnd.\n"
    assert len(sync_readme.stale(text, results)) == 1
    fixed = sync_readme.sync(text, results)
    assert sync_readme.stale(fixed, results) == []
    assert "| ours | 23.1 |" in fixed and "99.9" not in fixed
    assert fixed.startswith("Intro.\n\n") and fixed.endswith("<!-- /results:quality -->\n\nEnd.\n")
    assert sync_readme.sync(fixed, results) == fixed


def test_an_empty_block_is_filled(results: Path) -> None:
    text = "<!-- results:quality -->\n<!-- /results:quality -->\n"
    assert sync_readme.stale(text, results)
    assert "at commit abc1234" in sync_readme.sync(text, results)


def test_a_section_block_quotes_the_stamp_and_that_section_only(results: Path) -> None:
    text = "<!-- results:quality#raw-input -->\n<!-- /results:quality#raw-input -->\n"
    fixed = sync_readme.sync(text, results)
    assert "at commit abc1234" in fixed and "| lead | 9.9 |" in fixed and "23.1" not in fixed
    assert sync_readme.stale(fixed, results) == []


def test_a_block_naming_a_missing_file_or_section_fails(results: Path) -> None:
    for name in ("nosuch", "quality#nosuch"):
        text = f"<!-- results:{name} -->\n<!-- /results:{name} -->\n"
        assert sync_readme.stale(text, results)
        with pytest.raises(sync_readme.QuoteError):
            sync_readme.sync(text, results)


def test_unpaired_markers_fail(results: Path) -> None:
    with pytest.raises(sync_readme.QuoteError):
        sync_readme.blocks("<!-- results:quality -->\n| x |\n")


@pytest.mark.parametrize(
    "line",
    [
        "ours beats it by 12%",
        "| ours | 51.5 | 23.1 |",
        "3.1x one call",
        "takes 0.95 s",
        "about 12 ms",
        "peak 6.8 GB",
        "+1.5 points",
    ],
)
def test_a_figure_in_prose_is_found(line: str) -> None:
    assert figures(f"Some prose.\n{line}\n") != []


@pytest.mark.parametrize(
    "line",
    [
        "Python 3.11 on 2 cores",
        "the openai 3.x SDK",
        "files over 20 MB",
        "`--words 250` and `took 3 s`",
        "```\nrun took 12 s\n```",
        "<!-- results:quality -->\n12% faster\n<!-- /results:quality -->",
        "10 clusters, 250 words, S1:2",
        "| `toolkit/` | the package in `pyproject.toml`, 11 stages |",
        "| --- | --- |\n| library | why |",
    ],
)
def test_a_non_figure_is_not_flagged(line: str) -> None:
    assert figures(line + "\n") == []
