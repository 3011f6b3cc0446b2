"""`Explorer(briefing)`: the comparison view as a notebook widget, with edit, delete, undo and export.

    ex = briefing.explore()          # or Explorer(briefing); shown when it is a cell's last value
    ex.select(2)                     # what clicking sentence 3 does: evidence in every source
    ex.edit(2, "Corrected text.")    # re-verified at once (the Verifier is built once per Explorer);
                                     # with cite="local" its passages are found again
    ex.recite(2, "S2:20; S3:9")      # new citations, re-verified; unknown ids are refused, explained
    ex.delete(4)
    ex.add_passage("S3:7")           # a left-out passage becomes a sentence citing it
    ex.undo(); ex.redo()
    ex.export("briefing.docx")       # the edited briefing (also the view's Export button)
    ex.briefing                      # the edited Briefing, with a fresh report

An anywidget: one small ES module, no lab extension to build, so it runs in JupyterLab 4, Notebook 7
and VS Code. Python renders every piece of HTML (escaped, `toolkit.view.html_view`); the browser only swaps
fragments in and sends clicks back as messages (`{"kind": "select" | "update" | "delete" | "add" |
"undo" | "redo" | "export", "rev": ...}`), which call the methods above, so all widget logic is
testable without a kernel or a browser.

An edit sends only what changed: the view's parts are kept by `data-slot` key and an edit sends the
parts whose HTML differs (a custom message `{"kind": "patch", "html": ...}`); the whole view
(`view_html`) is sent once. Every change bumps `rev`; a click made on an older revision (the second
click of a double click on Delete) is ignored, so nothing fires twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..check.attribute import attribute, cited_locally
from ..check.compare import compare_and_mark
from ..check.summary import check_summary, counts_note
from ..check.verifier import Verifier
from ..cite.markers import split_markers
from ..errors import ConfigError
from ..models import Corpus, SummarySentence
from ._briefing import Briefing
from .html_view import CORE_JS, CSS, focus_for, focus_html, passage_html, summary_html, tools_html, view_html
from .html_view import view_slots as _view_slots
from .labels import counts_line, plural

__all__ = ["EditError", "Explorer"]

_ID = re.compile(r"S\d+:\d+")
_DRAFT_NOTE = re.compile(r"^(\w[\w-]*): (\d[\d,]* sentences?, \d[\d,]* words?)")

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
    root.innerHTML = model.get("view_html");
    refocus();
    onMessage();
  };
  const onMessage = () => {
    const m = root.querySelector(".bx-msg");
    if (!m) return;
    m.textContent = model.get("message");
    m.classList.toggle("err", model.get("message_kind") === "error");
  };
  const onCustom = (msg) => {
    if (!msg) return;
    if (msg.kind === "done") {
      root.querySelectorAll("button.busy").forEach((b) => {
        b.classList.remove("busy");
        b.disabled = false;
      });
      onMessage();
      return;
    }
    if (msg.kind !== "patch") return;
    bxFocus(root, null, saved, -1, "");
    const t = document.createElement("template");
    t.innerHTML = msg.html;
    bxApply(root, t.content);
    refocus();
    onMessage();
  };
  bxWire(root, (act, i, passage, button) => {
    const rev = model.get("rev");
    if (act === "select") { model.send({ kind: "select", i, passage }); return; }
    if (button && act !== "export") {  // one click, one change
      button.disabled = true;
      button.classList.add("busy");
    }
    if (act === "save") {
      const text = root.querySelector(".ed-text").value, citations = root.querySelector(".ed-cites").value;
      model.send({ kind: "update", i, text, citations, rev });
    } else if (act === "export") {
      model.send({ kind: "export", format: root.querySelector(".ex-fmt").value, rev });
    } else model.send({ kind: act, i, passage, rev });
  });
  const listeners = [
    ["change:view_html", draw], ["change:focus_html", refocus], ["change:focus_passage", refocus],
    ["change:message", onMessage], ["change:message_kind", onMessage], ["msg:custom", onCustom],
  ];
  for (const [name, fn] of listeners) model.on(name, fn);
  draw();
  model.send({ kind: "hello" });
  return () => { for (const [name, fn] of listeners) model.off(name, fn); };
}
export default { render };
"""
)


class EditError(ConfigError):
    """An edit the view refused (empty text, a citation that names no passage); nothing changed."""


class Explorer(anywidget.AnyWidget):
    """The summary next to every source; click to see evidence, edit to re-check, undo, export."""

    _esm = _ESM
    _css = CSS
    view_html = traitlets.Unicode("").tag(sync=True)
    focus_html = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    focus_passage = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    message_kind = traitlets.Unicode("").tag(sync=True)  # "" | "ok" | "error"
    rev = traitlets.Int(0).tag(sync=True)  # bumped by every change to the summary

    def __init__(
        self,
        briefing: Briefing,
        *,
        verifier: Verifier | None = None,
        export_stem: str | Path = "briefing",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.verifier = verifier or Verifier(briefing.corpus)
        if briefing.sentences and (briefing.report is None or any(not s.status for s in briefing.sentences)):
            checked = check_summary(self.verifier, briefing.sentences)
            notes = (*briefing.notes, *checked.notes)
            briefing = briefing.model_copy(
                update={"sentences": checked.sentences, "report": checked.report, "notes": notes}
            )
        self._briefing = briefing
        self._corpus: Corpus = briefing.corpus
        self.export_stem = Path(export_stem)
        self.edits = 0
        self._undo: list[Briefing] = []
        self._redo: list[Briefing] = []
        self._memo: dict[tuple[object, ...], Any] = {}
        self._local = cited_locally(briefing.notes)  # citations found by `attribute`, not the model
        self._user_cited: set[tuple[str, tuple[str, ...]]] = set()  # (text, citations) set by hand here
        self.on_msg(self._on_message)
        self._slots = self._view_slots()
        self._base = dict(self._slots)  # what `view_html` holds
        self._used = self._used_passages()
        self._base_used = set(self._used)
        self.view_html = view_html(briefing, editable=True, tools=self._tools())

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
            raise EditError(f"there is no sentence {i + 1}: the summary has {len(self.sentences)}")
        with self.hold_sync():
            self.focus_passage = passage
            if self.selected == i:
                self._refocus()
            else:
                self.selected = i  # the observer refocuses

    def edit(self, i: int, text: str) -> SummarySentence:
        """Replace sentence i's text (markers such as [S2:4] in it become its citations); re-checked.
        When the briefing's citations were found locally (`cite="local"`, the LLM engines' default),
        the passages of the new text are found again the same way, unless its citations were set by
        hand in this view (`recite`, markers, `add_passage`) or are not the ones found for its text
        (set by hand before the briefing was saved, or given by the model)."""
        return self.update(i, text=text)

    def recite(self, i: int, citations: Sequence[str] | str) -> SummarySentence:
        """Replace sentence i's citations ("S2:4; S3:1" or a list of ids); re-checked."""
        return self.update(i, citations=citations)

    def delete(self, i: int) -> None:
        """Remove sentence i (undo brings it back)."""
        self._sentence(i)
        kept = self.sentences[:i] + self.sentences[i + 1 :]
        self._commit(kept, f"Deleted sentence {i + 1}. Undo brings it back.")
        self.select(min(i, len(kept) - 1) if self.selected >= 0 else -1)

    def update(
        self, i: int, *, text: str | None = None, citations: Sequence[str] | str | None = None
    ) -> SummarySentence:
        """Edit the text and/or the citations of sentence i; the result is verified at once. Markers in
        the text ("... [S2:4].") are moved to the citations. Raises `EditError` (and changes nothing)
        for empty text or a citation that names no passage of these sources."""
        old = self._sentence(i)
        bare, marked = split_markers(old.text if text is None else text)
        new_text = " ".join(bare.split())
        if not new_text:
            raise EditError(
                f"Sentence {i + 1} cannot be empty. To remove it, press “Delete sentence {i + 1}”."
            )
        given = None if citations is None else self._citations(citations)
        kept = not marked and (given is None or set(given) == set(old.citations))
        found = ""
        if kept and new_text != old.text and self._finds_citations(old):
            # Citations this toolkit found (cite=local) belong to the old wording: find the new one's.
            cites, note = attribute(self.verifier, new_text), ""
            found = ", ".join(cites) if cites else "none hold its key terms"
            found = f" Its passages were found again for the new text: {found}."
        elif kept:
            cites, note = old.citations, old.note
        else:
            cites, note = tuple(dict.fromkeys((*(given or ()), *marked))), ""
        checked = self.verifier.check_sentence(new_text, cites, note)
        if not kept or ((old.text, old.citations) in self._user_cited and not found):
            self._user_cited.add((checked.text, checked.citations))
        sentences = list(self.sentences)
        sentences[i] = checked
        self._commit(tuple(sentences), f"Sentence {i + 1} was checked again: it is now {{}}.{found}", at=i)
        self.select(i)
        return checked

    def _finds_citations(self, old: SummarySentence) -> bool:
        """Whether an edit of `old`'s text gets its passages found again: the briefing's citations were
        found here (`cite="local"`), these were not set by hand in this view, and they are the ones
        `attribute` finds for its text (near-duplicate copies aside: the check drops a copy that does
        not hold the sentence). The last test is what keeps citations set by hand in an earlier
        session (a briefing saved and loaded again, or a new view of it) or given by the model."""
        if not self._local or (old.text, old.citations) in self._user_cited:
            return False
        found = attribute(self.verifier, old.text)
        held = set(old.citations)
        group = self._corpus.group_of
        return held <= set(found) and all(held & set(group(p)) for p in found)

    def add_passage(self, passage: str, at: int | None = None) -> SummarySentence:
        """Add passage `passage` (e.g. a left-out one) to the summary as a sentence citing it: its
        first sentence, or the whole passage when short; after the selected sentence (else at the
        end, or at position `at`), checked at once."""
        if not self._corpus.has_passage(passage):
            raise EditError(self._unknown([passage]))
        p = self._corpus.passage(passage)
        first = p.sentences[0].text if p.sentences and len(p.text) > 300 else p.text
        text = " ".join(split_markers(first)[0].split())
        if not text:
            raise EditError(f"Passage {passage} has no text to add.")
        checked = self.verifier.check_sentence(text, (passage,))
        self._user_cited.add((checked.text, checked.citations))
        k = at if at is not None else (self.selected + 1 if self.selected >= 0 else len(self.sentences))
        k = max(0, min(k, len(self.sentences)))
        sentences = (*self.sentences[:k], checked, *self.sentences[k:])
        self._commit(sentences, f"Added passage {passage} as sentence {k + 1} ({{}}).", at=k)
        self.select(k)
        return checked

    def undo(self) -> None:
        """Go back one change (edit, delete, add)."""
        if not self._undo:
            raise EditError("Nothing to undo.")
        self._redo.append(self._briefing)
        self._restore(self._undo.pop(), "Undone.")

    def redo(self) -> None:
        """Apply again the change `undo` took back."""
        if not self._redo:
            raise EditError("Nothing to redo.")
        self._undo.append(self._briefing)
        self._restore(self._redo.pop(), "Redone.")

    def export(self, path: str | Path | None = None, format: str | None = None) -> Path:
        """Write the edited briefing (`toolkit.view.exports.export`): md, html or docx; the default path is
        `briefing.<format>` in the current folder."""
        from .exports import export

        target = Path(path) if path is not None else self.export_stem.with_suffix(f".{format or 'md'}")
        done = export(self._briefing, target, format)
        self._say(f"Saved {done} ({counts_line(self.sentences)}).")
        return done

    # --- plumbing -------------------------------------------------------------------------------------
    def _sentence(self, i: int) -> SummarySentence:
        if not 0 <= i < len(self.sentences):
            raise EditError(
                f"There is no sentence {i + 1}: the summary has {plural(len(self.sentences), 'sentence')}."
            )
        return self.sentences[i]

    def _citations(self, given: Sequence[str] | str) -> tuple[str, ...]:
        """Passage ids from "S2:4; S3:1", "[S2:4]" or a list; anything that is not a passage of these
        sources is refused with an explanation (never dropped)."""
        items = (
            re.split(r"[;,\s]+", given.replace("[", " ").replace("]", " "))
            if isinstance(given, str)
            else given
        )
        ids = [c.strip() for c in items if c.strip()]
        bad = [c for c in ids if not self._corpus.has_passage(c)]
        if bad:
            raise EditError(self._unknown(bad))
        return tuple(dict.fromkeys(ids))

    def _unknown(self, bad: Sequence[str]) -> str:
        ranges = "; ".join(
            f"{s.id}:1 to {s.id}:{len(s.passages)}" for s in self._corpus.sources[:8] if s.passages
        )
        more = " …" if len(self._corpus.sources) > 8 else ""
        what = ", ".join(f"“{b}”" for b in bad)
        verb = "is not a passage" if len(bad) == 1 else "are not passages"
        return (
            f"Not saved: {what} {verb} of these sources. A citation is a passage id, source and passage "
            f"number, such as the grey labels in the source columns ({ranges}{more})."
        )

    def _commit(self, sentences: tuple[SummarySentence, ...], what: str, at: int = -1) -> None:
        """Make `sentences` the briefing (undoable); `what` is said, with sentence `at`'s status as the
        briefing now shows it (after the comparison marks disputes) in its `{}`."""
        self._undo.append(self._briefing)
        self._redo.clear()
        self.edits += 1
        marked, report = compare_and_mark(self.verifier, sentences)  # disputes restated, never green
        sentences = tuple(marked)
        if at >= 0:
            what = what.replace("{}", sentences[at].status)
        counts = counts_note(report)
        notes = [
            _DRAFT_NOTE.sub(r"\1 draft, before editing: \2", n)
            for n in self._briefing.notes
            if not n.startswith(("verify: ", "edited in the view:"))
        ]
        notes += [counts, f"edited in the view: {plural(self.edits, 'change')}"]
        briefing = self._briefing.model_copy(
            update={"sentences": sentences, "report": report, "notes": tuple(notes)}
        )
        self._restore(briefing, what, pushed=True)

    def _restore(self, briefing: Briefing, what: str, *, pushed: bool = False) -> None:
        self._briefing = briefing
        with self.hold_sync():
            self.rev += 1
            self._say(what)
            self._patch()
            if self.selected >= len(self.sentences):
                self.selected = len(self.sentences) - 1
            self._refocus()

    def _say(self, text: str, kind: str = "ok") -> None:
        with self.hold_sync():
            self.message = text
            self.message_kind = kind

    def _tools(self) -> str:
        return tools_html(can_undo=bool(self._undo), can_redo=bool(self._redo))

    def _view_slots(self) -> dict[str, str]:
        out = _view_slots(self._briefing, editable=True, corpus=self._corpus, memo=self._memo)
        out["tools"] = self._tools()
        return out

    def _used_passages(self) -> set[str]:
        report = self._briefing.report
        return {p for c in report.coverage for p in c.used} if report else set()

    def _changes(self, old: dict[str, str], old_used: set[str]) -> str:
        """The HTML of every part that differs from `old`: changed rows (or the whole summary when the
        number of sentences changed), bars, warnings, source extras, passages whose use changed."""
        new = self._slots
        out = []
        rows_old = sum(1 for k in old if k.startswith("s:"))
        rows_new = sum(1 for k in new if k.startswith("s:"))
        if rows_old != rows_new:
            out.append(summary_html(self._briefing, corpus=self._corpus))
        for key, markup in new.items():
            if key.startswith("s:") and rows_old != rows_new:
                continue
            if old.get(key) != markup:
                out.append(markup)
        for pid in sorted(self._used ^ old_used):
            out.append(passage_html(self._corpus.passage(pid), used=pid in self._used))
        return "".join(out)

    def _patch(self) -> None:
        """Send the browser the parts of the view this change altered."""
        before, before_used = self._slots, self._used
        self._slots, self._used = self._view_slots(), self._used_passages()
        markup = self._changes(before, before_used)
        if markup:
            self.send({"kind": "patch", "html": markup})

    def _refocus(self) -> None:
        i = self.selected
        if 0 <= i < len(self.sentences):
            focus = focus_for(self._briefing, i, self.verifier)
            self.focus_html = focus_html(self._briefing, focus, editable=True, corpus=self._corpus)
        else:
            self.focus_html = ""

    @traitlets.observe("selected")
    def _selected_changed(self, change: dict[str, Any]) -> None:
        if not -1 <= change["new"] < len(self.sentences):
            self.selected = -1
        self._refocus()

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click in the browser. Errors become the widget's message (shown under the edit box)
        instead of a traceback; a change clicked on an older revision of the summary is ignored."""
        if not isinstance(content, dict):
            return
        kind = content.get("kind")
        try:
            if kind == "hello":  # a new view of this widget: bring it up to date with the edits
                markup = self._changes(self._base, self._base_used)
                if markup:
                    self.send({"kind": "patch", "html": markup})
                return
            raw = content.get("i")
            i = int(raw) if raw is not None else -1
            if kind == "select":
                self.select(i, str(content.get("passage", "")))
                return
            if kind in ("update", "delete", "add", "undo", "redo") and content.get("rev") != self.rev:
                self._say("That click came after the summary had already changed, so it was ignored.")
                return
            if kind == "update":
                self.update(i, text=str(content.get("text", "")), citations=str(content.get("citations", "")))
            elif kind == "delete":
                self.delete(i)
            elif kind == "add":
                self.add_passage(str(content.get("passage", "")))
            elif kind == "undo":
                self.undo()
            elif kind == "redo":
                self.redo()
            elif kind == "export":
                self.export(format=str(content.get("format", "md")))
        except (ConfigError, ValueError, TypeError, OSError) as e:
            self._say(str(e), "error")
        finally:
            if kind != "hello":
                self.send({"kind": "done"})  # the view re-enables the button it disabled
