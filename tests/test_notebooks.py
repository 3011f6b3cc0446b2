"""Every notebook in notebooks/ runs top to bottom headless (nbclient), with no key and no network.

Each runs from a temporary copy of notebooks/ and examples/, on a kernelspec that points at this
interpreter (the venv's own spec runs whatever `python` is on PATH). A first cell, added to the copy
only, blocks every outgoing connection except loopback inside the kernel, as conftest does here.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = ("01_quickstart", "02_any_endpoint", "03_long_inputs", "04_verify_and_edit", "05_conflicts")

GUARD = """
import socket as _socket
_connect = _socket.socket.connect
def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and not (str(host).startswith("127.") or host in ("localhost", "::1")):
        raise RuntimeError(f"notebooks must not use the network: {address!r}")
    return _connect(self, address)
_socket.socket.connect = _loopback_only
del _socket
import sys as _sys
print("kernel python:", _sys.executable)
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notebooks")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "examples", root / "examples")
    spec = root / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    env = {"PYTHONPATH": str(ROOT)}  # the kernel imports this checkout's toolkit, whatever is installed
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3", "language": "python", "env": env}),
        encoding="utf-8",
    )
    return root


def test_every_notebook_is_here_and_committed_without_outputs() -> None:
    assert [p.stem for p in NOTEBOOKS] == list(NAMES)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert "widgets" not in nb.metadata, path.name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_notebooks_hold_no_logic_and_say_how_to_use_a_real_endpoint() -> None:
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not re.search(r"^\s*(def|class|for|while|try|if)\b|lambda", code, re.M), path.name
        for line in re.findall(r"^(?:from|import) .*", code, re.M):
            assert re.match(r"(from (toolkit|pathlib)\b|import toolkit\b)", line), (path.name, line)
        assert "OPENAI_API_KEY" in prose and "OPENAI_BASE_URL" in prose, path.name
    quickstart = (ROOT / "notebooks" / "01_quickstart.ipynb").read_text(encoding="utf-8")
    assert "<script>" not in quickstart and "onerror" not in quickstart  # hostile input is the tests' job
    endpoint = (ROOT / "notebooks" / "02_any_endpoint.ipynb").read_text(encoding="utf-8")
    for where in ("Azure", "Ollama", "vLLM", "llama.cpp", "LM Studio", "--dry-run", "--model"):
        assert where in endpoint


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_headless_without_errors(
    name: str, workdir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(workdir / "jupyter"))
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    folder = workdir / "notebooks"
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    assert nb.cells[0].outputs[0].text.strip() == f"kernel python: {sys.executable}"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    data = [o.get("data", {}) for o in outputs if o.output_type in ("execute_result", "display_data")]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)  # the explorer was shown
    # The scripted endpoint's key ("demo-key", set while 02/03 call it) never lands in an output.
    assert "demo-key" not in nbformat.writes(nb)
    if name == "01_quickstart":
        for suffix in ("md", "html", "docx"):
            assert (folder / f"briefing.{suffix}").is_file()
    if name == "04_verify_and_edit":  # the reader's view is not edited by the notebook
        views = [d for d in data if "application/vnd.jupyter.widget-view+json" in d]
        assert len(views) == 2
    if name == "05_conflicts":  # at least one disagreement shown, never as supported
        shown = "\n".join(str(d.get("text/plain", "")) for d in data) + text
        assert "222,570" in shown and re.search(r"Sentence 1 is (contradicted|disputed)", shown)
    if name in ("02_any_endpoint", "03_long_inputs"):
        assert "strategy:" in text and "cost:" in text and re.search(r"\b[1-9]\d* calls?\b", text)
    if name == "03_long_inputs":
        assert "strategy: map-reduce" in text
