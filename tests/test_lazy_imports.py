"""`import toolkit` and the offline CLI load no library they do not use (timings: benchmarks/startup.py).

Each check runs in a fresh interpreter (this process has imported everything already) and reads
`sys.modules` there.
"""

from __future__ import annotations

import json
import subprocess
import sys

from paths import ROOT

HEAVY = ("openai", "scipy", "numpy", "anywidget", "ipywidgets", "docx", "trafilatura")
_REPORT = (
    "import json, sys\nprint(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)"
)


def loaded(code: str) -> list[str]:
    """The HEAVY modules present in sys.modules after running `code` in a new interpreter."""
    script = code + "\n" + _REPORT.format(heavy=HEAVY)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return found


def test_import_toolkit_loads_no_heavy_library() -> None:
    assert loaded("import toolkit") == []


def test_public_names_still_resolve_and_load_their_library_on_first_use() -> None:
    assert loaded("import toolkit; toolkit.ExtractiveEngine") == ["numpy", "scipy"]
    assert "openai" in loaded("from toolkit import OpenAIEngine")


def test_the_offline_summary_loads_no_sdk_widget_or_docx() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['brief', 'summarize', 'examples/syria-iraq-2025']\n"
        "try:\n"
        "    runpy.run_module('toolkit', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
    )
    found = loaded(code)
    # the extractive engine and the checker use numpy/scipy; nothing else heavy is needed offline
    assert found == ["numpy", "scipy"]


def test_the_check_sees_a_heavy_import() -> None:
    assert loaded("import toolkit, toolkit.chat.llm") == ["openai"]


PUBLIC = [
    "Article",
    "Articles",
    "BatchReport",
    "Briefing",
    "BudgetError",
    "Chunk",
    "ChunkPart",
    "CitationCheck",
    "ConfigError",
    "Corpus",
    "Draft",
    "Dropped",
    "DuplicateGroup",
    "EndpointError",
    "Engine",
    "EngineError",
    "EventGroup",
    "Evidence",
    "Explorer",
    "ExtractiveEngine",
    "Grouping",
    "OpenAIEngine",
    "Passage",
    "Plan",
    "PromptError",
    "Report",
    "ResponseError",
    "Sentence",
    "Skipped",
    "Source",
    "SourceError",
    "SummarySentence",
    "TokenizerError",
    "ToolkitError",
    "Usage",
    "Verifier",
    "__version__",
    "build_corpus",
    "chunk_passages",
    "export",
    "get_tokenizer",
    "group_articles",
    "load_articles",
    "load_encoding",
    "plan",
    "run_batch",
    "summarize",
    "to_docx",
    "to_html",
    "to_markdown_footnotes",
    "verify",
]


def test_every_public_name_resolves() -> None:
    import toolkit

    assert sorted(toolkit.__all__) == PUBLIC  # the public API: a change here is a decision

    missing = [name for name in toolkit.__all__ if getattr(toolkit, name, None) is None]
    assert not missing
    assert set(toolkit.__all__) <= set(dir(toolkit))
    assert callable(toolkit.plan) and callable(toolkit.verify)  # the functions, not the `plan` stage
