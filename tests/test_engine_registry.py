"""Engines by name: a package registers an engine (entry point group `brief.engines`) and
`brief summarize --engine NAME` runs it, without editing the toolkit."""

from __future__ import annotations

import importlib.metadata
import tomllib
from typing import Any

import pytest
from paths import EXAMPLES, ROOT
from typer.testing import CliRunner

from toolkit.engines.base import Draft
from toolkit.engines.registry import BUILTIN, GROUP, EngineOptions, engine_names, load_factory, make
from toolkit.errors import ConfigError, EngineError
from toolkit.models import Corpus, SummarySentence

SEEN: list[EngineOptions] = []


class FirstPassageEngine:
    """A third-party engine: the first sentence of each source's first passage, cited."""

    name = "first-passage"

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        out = []
        for source in corpus.sources:
            passage = source.passages[0]
            out.append(SummarySentence(text=passage.sentences[0].text, citations=(passage.id,)))
        return Draft(sentences=tuple(out), model="first-passage-1")


def make_first_passage(options: EngineOptions) -> FirstPassageEngine:
    SEEN.append(options)
    return FirstPassageEngine()


def make_nothing(options: EngineOptions) -> object:
    return object()


def plugins(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """Installed packages' entry points in GROUP, in memory (no package is installed)."""
    eps = [importlib.metadata.EntryPoint(name, value, GROUP) for name, value in values.items()]
    real = importlib.metadata.entry_points

    def entry_points(**params: Any) -> Any:
        if params.get("group") == GROUP:
            return importlib.metadata.EntryPoints(eps)
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def test_a_registered_engine_runs_through_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.cli.app import app

    plugins(monkeypatch, **{"first-passage": f"{__name__}:make_first_passage"})
    SEEN.clear()
    r = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--engine", "first-passage", "--words", "60"])
    assert r.exit_code == 0, r.output
    assert "engine first-passage, model first-passage-1" in r.output
    assert "[S1:1]" in r.output and "## Checks" in r.output  # cited, and checked like any engine's
    assert len(SEEN) == 1 and SEEN[0].model is None


def test_names_list_builtins_then_plugins_and_a_plugin_cannot_take_a_builtin_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugins(monkeypatch, zeta=f"{__name__}:make_first_passage", extractive=f"{__name__}:make_nothing")
    assert engine_names() == ["extractive", "openai", "local", "zeta"]
    assert load_factory("extractive").__module__ == "toolkit.engines.registry"
    assert make("extractive").name == "extractive"


def test_unknown_broken_and_wrong_engines_are_one_line_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    plugins(monkeypatch, broken="no_such_module_here:factory", wrong=f"{__name__}:make_nothing")
    with pytest.raises(ConfigError, match="unknown engine 'magic'; choose one of extractive, openai, local"):
        make("magic")
    with pytest.raises(EngineError, match=r"engine 'broken' .* could not be loaded"):
        make("broken")
    with pytest.raises(EngineError, match="returned object, not an Engine"):
        make("wrong")


def test_the_builtins_are_registered_in_pyproject_as_in_the_fallback_table() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"][GROUP] == BUILTIN
    for name in BUILTIN:
        assert callable(load_factory(name))
