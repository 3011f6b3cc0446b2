"""`Explorer(briefing)`: the comparison view as a notebook widget, with edit, delete and re-cite.

    ex = briefing.explore()          # or Explorer(briefing); shown when it is a cell's last value
    ex.select(2)                     # what clicking sentence 3 does: evidence in every source
    ex.edit(2, "Corrected text.")    # re-verified at once (the Verifier is built once per Explorer)
    ex.recite(2, "S2:20; S3:9")      # new citations, re-verified
    ex.delete(4)
    ex.briefing                      # the edited Briefing, with a fresh report: export this

An anywidget: one small ES module, no lab extension to build, so it runs in JupyterLab 4, Notebook 7
and VS Code. Python renders every piece of HTML (escaped, `toolkit.view.html_view`); the browser only swaps
fragments in and sends clicks back as messages (`{"kind": "select" | "update" | "delete", ...}`),
which call the methods above, so all widget logic is testable without a kernel or a browser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import anywidget
import traitlets

from ..check.compare import compare
from ..check.summary import check_summary, counts_note
from ..check.verifier import Verifier
from ..cite.markers import split_markers
from ..errors import ConfigError
from ..models import SummarySentence
from ._briefing import Briefing
from .html_view import CORE_JS, CSS, focus_for, focus_html, view_html

__all__ = ["Explorer"]

_ID = re.compile(r"S\d+:\d+")

_ESM = (
    CORE_JS
    + """
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "bx";
  el.appendChild(root);
  const saved = [];
  const refocus = () => {
    const t = document.createElement("template");
    t.innerHTML = model.get("focus_html");
    bxFocus(root, t.content, saved, model.get("selected"), model.get("focus_passage"));
  };
  const draw = () => {
    saved.length = 0;
    root.innerHTML = '<div class="bx-msg muted"></div>' + model.get("view_html");
    refocus();
    onMessage();
  };
  const onMessage = () => {
    const m = root.querySelector(".bx-msg");
    if (m) m.textContent = model.get("message");
  };
  bxWire(root, (act, i, passage) => {
    if (act === "select") model.send({ kind: "select", i, passage });
    else if (act === "delete") model.send({ kind: "delete", i });
    else if (act === "save") {
      const text = root.querySelector(".ed-text").value, citations = root.querySelector(".ed-cites").value;
      model.send({ kind: "update", i, text, citations });
    }
  });
  model.on("change:view_html", draw);
  model.on("change:focus_html", refocus);
  model.on("change:focus_passage", refocus);
  model.on("change:message", onMessage);
  draw();
  return () => {
    model.off("change:view_html", draw);
    model.off("change:focus_html", refocus);
    model.off("change:focus_passage", refocus);
    model.off("change:message", onMessage);
  };
}
export default { render };
"""
)


class Explorer(anywidget.AnyWidget):
    """The summary next to every source; click to see evidence, edit to re-check."""

    _esm = _ESM
    _css = CSS
    view_html = traitlets.Unicode("").tag(sync=True)
    focus_html = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    focus_passage = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, briefing: Briefing, *, verifier: Verifier | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.verifier = verifier or Verifier(briefing.corpus)
        if briefing.sentences and (briefing.report is None or any(not s.status for s in briefing.sentences)):
            checked = check_summary(self.verifier, briefing.sentences)
            notes = (*briefing.notes, *checked.notes)
            briefing = briefing.model_copy(
                update={"sentences": checked.sentences, "report": checked.report, "notes": notes}
            )
        self._briefing = briefing
        self.edits = 0
        self.on_msg(self._on_message)
        self._render()

    def __repr__(self) -> str:
        return f"<Explorer sentences={len(self._briefing.sentences)} sources={len(self._briefing.sources)}>"

    @property
    def briefing(self) -> Briefing:
        """The briefing as edited here, every sentence checked and the report up to date."""
        return self._briefing

    @property
    def sentences(self) -> tuple[SummarySentence, ...]:
        return self._briefing.sentences

    # --- what the view's clicks call ----------------------------------------------------------------
    def select(self, i: int, passage: str = "") -> None:
        """Show sentence i (-1: nothing) in every source; `passage` scrolls its source to that passage."""
        if not -1 <= i < len(self.sentences):
            raise ConfigError(f"there is no sentence {i + 1}: the summary has {len(self.sentences)}")
        with self.hold_sync():
            self.focus_passage = passage
            if self.selected == i:
                self._refocus()
            else:
                self.selected = i  # the observer refocuses

    def edit(self, i: int, text: str) -> SummarySentence:
        """Replace sentence i's text (markers such as [S2:4] in it become its citations); re-checked."""
        return self.update(i, text=text)

    def recite(self, i: int, citations: Sequence[str] | str) -> SummarySentence:
        """Replace sentence i's citations ("S2:4; S3:1" or a list of ids); re-checked."""
        return self.update(i, citations=citations)

    def delete(self, i: int) -> None:
        self._sentence(i)
        kept = self.sentences[:i] + self.sentences[i + 1 :]
        self._commit(kept, f"deleted sentence {i + 1}")
        self.select(min(i, len(kept) - 1) if self.selected >= 0 else -1)

    def update(
        self, i: int, *, text: str | None = None, citations: Sequence[str] | str | None = None
    ) -> SummarySentence:
        """Edit the text and/or the citations of sentence i; the result is verified at once. Markers in
        the text ("... [S2:4].") are moved to the citations."""
        old = self._sentence(i)
        bare, marked = split_markers(old.text if text is None else text)
        new_text = " ".join(bare.split())
        if not new_text:
            raise ConfigError("a sentence cannot be empty: use delete() to remove it")
        cites = old.citations if citations is None and not marked else _ids(citations or ()) + tuple(marked)
        note = old.note if citations is None and not marked else ""
        checked = self.verifier.check_sentence(new_text, cites, note)
        sentences = list(self.sentences)
        sentences[i] = checked
        what = f"sentence {i + 1} is now {checked.status}"
        self._commit(tuple(sentences), what + (f" ({checked.note})" if checked.note else ""))
        self.select(i)
        return checked

    # --- plumbing -------------------------------------------------------------------------------------
    def _sentence(self, i: int) -> SummarySentence:
        if not 0 <= i < len(self.sentences):
            raise ConfigError(f"there is no sentence {i + 1}: the summary has {len(self.sentences)}")
        return self.sentences[i]

    def _commit(self, sentences: tuple[SummarySentence, ...], what: str) -> None:
        report = compare(self.verifier, sentences)
        self.edits += 1
        counts = counts_note(report)
        notes = [n for n in self._briefing.notes if not n.startswith(("verify: ", "edited in the explorer:"))]
        notes += [counts, f"edited in the explorer: {self.edits} changes"]
        self._briefing = self._briefing.model_copy(
            update={"sentences": sentences, "report": report, "notes": tuple(notes)}
        )
        with self.hold_sync():
            self.message = what
            self._render()

    def _render(self) -> None:
        with self.hold_sync():
            self.view_html = view_html(self._briefing)
            self._refocus()

    @traitlets.observe("selected")
    def _selected_changed(self, change: dict[str, Any]) -> None:
        if not -1 <= change["new"] < len(self.sentences):
            self.selected = -1
        self._refocus()

    def _refocus(self) -> None:
        i = self.selected
        if 0 <= i < len(self.sentences):
            focus = focus_for(self._briefing, i, self.verifier)
            self.focus_html = focus_html(self._briefing, focus, editable=True)
        else:
            self.focus_html = ""

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click in the browser. Errors become the widget's message instead of a traceback."""
        if not isinstance(content, dict):
            return
        try:
            kind, i = content.get("kind"), int(content.get("i", -1))
            if kind == "select":
                self.select(i, str(content.get("passage", "")))
            elif kind == "update":
                self.update(i, text=str(content.get("text", "")), citations=str(content.get("citations", "")))
            elif kind == "delete":
                self.delete(i)
        except (ConfigError, ValueError, TypeError) as e:
            self.message = str(e)


def _ids(citations: Sequence[str] | str) -> tuple[str, ...]:
    """Passage ids from "S2:4; S3:1", "[S2:4]" or a list; anything else is kept to be reported."""
    if isinstance(citations, str):
        return tuple(dict.fromkeys(_ID.findall(citations)))
    return tuple(dict.fromkeys(c.strip() for c in citations if c.strip()))
