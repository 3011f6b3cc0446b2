"""Bad files: each gives a clear one-line error naming it, or its text with a note; the rest of a folder
is loaded with nothing lost, through the API and through `brief summarize DIR --skip-bad`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import toolkit.ingest.loading
from toolkit import Articles, load_articles, summarize
from toolkit.errors import SourceError

from .badfiles import CASES, FOLDER_CASES, Case, FolderRun, load_cases, run_folder

TOTAL, BAD = 1000, 50


def _one_line_naming(error: SourceError, name: str) -> None:
    message = str(error)
    assert "\n" not in message and message.isprintable(), repr(message)
    assert message.startswith(error.path + ": "), message
    assert error.path.endswith(name), (error.path, name)
    message.encode("utf-8")  # can be printed and written anywhere


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_file_gives_a_clear_error_or_its_text(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A good article about the floods in Mosul, which killed 14 people.\n")
    case.write(folder / case.name)
    got = load_articles(folder, skip_bad=True)
    mine = [a for a in got if not a.path.endswith("good.txt")]
    assert len(got) - len(mine) == 1, "the good file next to it is loaded"
    assert len(got.skipped) == case.expected_errors, [str(e) for e in got.skipped]
    for error in got.skipped:
        assert case.error in error.problem, str(error)
        _one_line_naming(error, case.name if case.errors < 2 else error.path.rsplit("/", 1)[-1])
    assert len(mine) == case.expected_articles, [a.path for a in mine]
    for a in mine:
        assert a.path.endswith(case.name) or case.name.endswith(".jsonl")
        assert a.text.strip()
        for value in (a.path, a.text, a.title, *a.notes):
            value.encode("utf-8")
    if case.text is not None:
        assert mine[0].text == case.text
    if case.note:
        assert any(case.note in n for n in (*got.notes, *(n for a in mine for n in a.notes))), got.notes
    if case.expected_errors:  # without skip_bad the first bad file stops the run, naming it
        with pytest.raises(SourceError) as info:
            load_articles(folder)
        assert case.error in info.value.problem
        _one_line_naming(info.value, info.value.path.rsplit("/", 1)[-1])


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50_000_000)

    def no_read(p: Path) -> bytes:
        raise AssertionError(f"read {p} whole")

    monkeypatch.setattr(toolkit.ingest.loading, "_read_bytes", no_read)
    with pytest.raises(SourceError, match=r"50\.0 MB, over the 20\.0 MB limit") as info:
        load_articles(path)
    assert "max_bytes" in info.value.fix and "--max-bytes" not in info.value.fix  # no such CLI option


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> FolderRun:
    return run_folder(tmp_path_factory.mktemp("k1000") / "scrape", total=TOTAL, bad=BAD)


def _expected(field: str) -> int:
    cases = [FOLDER_CASES[k % len(FOLDER_CASES)] for k in range(BAD)]
    return sum(getattr(c, field) for c in cases)


def test_folder_of_1000_files_loads_every_good_one_intact(folder_run: FolderRun) -> None:
    run = folder_run
    files = sorted(p.name for p in run.folder.iterdir())
    assert len(files) == TOTAL and len(run.good) == TOTAL - BAD
    errors = run.articles.skipped
    assert len(errors) == _expected("expected_errors")
    for e in errors:
        _one_line_naming(e, e.path.rsplit("/", 1)[-1])
    bad_loaded = _expected("expected_articles")
    assert len(run.articles) == len(run.good) + bad_loaded
    by_stem: dict[str, list[str]] = {}
    for a in run.articles:
        by_stem.setdefault(Path(a.path).stem, []).append(a.text)
    for stem, text in run.good.items():
        assert by_stem.get(stem) == [text], f"{stem}: text lost or changed"
    # every file is accounted for: loaded, or named by an error
    seen = {Path(a.path).name for a in run.articles} | {Path(e.path).name for e in errors}
    assert seen == set(files)
    # and every article becomes a source with its text exactly as loaded
    assert len(run.corpus.sources) == len(run.articles)
    for source, a in zip(run.corpus.sources, run.articles, strict=True):
        assert source.text == a.text and source.path == a.path
        for p in source.passages:
            assert source.text[p.start : p.end] == p.text


def test_cli_skip_bad_on_the_1000_file_folder(folder_run: FolderRun) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    cmd = [sys.executable, "-m", "toolkit", "summarize", str(folder_run.folder)]
    stopped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert stopped.returncode == 2
    (line,) = stopped.stderr.strip().splitlines()
    first_bad = min(folder_run.articles.skipped, key=lambda e: e.path)
    assert line.startswith(f"brief: error: {first_bad.path}: ") and "--skip-bad" in line
    done = subprocess.run([*cmd, "--skip-bad"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    skipped = [x for x in done.stderr.splitlines() if x.startswith("brief: skipped ")]
    assert sorted(skipped) == sorted(f"brief: skipped {e}" for e in folder_run.articles.skipped)
    assert f"· {len(folder_run.articles)} sources ·" in done.stdout
    listed = done.stdout.split("## Skipped inputs", 1)[1]
    assert all(f"`{e.path}`" in listed for e in folder_run.articles.skipped)


def test_odd_names_and_broken_characters_reach_every_output(tmp_path: Path) -> None:
    """Names that are not UTF-8 or hold a newline, a lone surrogate in JSON: the briefing, its
    Markdown and JSON can still be written, and the CLI writes them."""
    loaded: Articles = load_cases(tmp_path / "cases")
    b = summarize(loaded, engine="extractive", words=60)
    assert len(b.sources) == len(loaded)
    assert len(b.skipped) == sum(c.expected_errors for c in CASES)
    b.to_markdown().encode("utf-8")
    assert Path(json.loads(b.to_json())["sources"][0]["path"]).name == "caf\\xe9.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    out, js = tmp_path / "b.md", tmp_path / "b.json"
    r = subprocess.run(
        [sys.executable, "-m", "toolkit", "summarize", str(tmp_path / "cases"), "--skip-bad", "--words", "60",
         "--out", str(out), "--json", str(js)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    assert "line\\nbreak.txt" in out.read_text(encoding="utf-8")
    assert len(json.loads(js.read_text(encoding="utf-8"))["skipped"]) == len(b.skipped)
