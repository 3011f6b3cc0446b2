"""Words shared by the comparison view and the exports, so the screen and the files say the same.

    STATUSES                      every sentence status, in the order the view lists them
    STATUS_HELP[status]           what the status means, in one plain sentence
    shown_status(sentence)        the status to show: "supported" with a contradicting citation
                                  becomes "disputed" (never shown as fully supported)
    plain_reason(reason)          a checker reason rewritten for a reader ("S2:3 gives 1,383 people,
                                  the sentence says 800"); text it does not recognise is kept as is
    source_title(source)          the title, or for an untitled source the opening words of its text
    plural(n, "passage")          "1 passage", "3 passages"
    text_counts(sentences)        (sentences, words) of the summary as it stands
    shown_path(path)              a path relative to the working folder when it is under it
    metadata_line(briefing)       how it was made, in one line, starting with its size as it stands
    warnings(briefing)            what is unresolved: weak sentences and citations, missing passages,
                                  disagreements between sources

Pure functions of their arguments (and, for `shown_path`, of the current folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..models import STATUSES as _ALL_STATUSES
from ..models import Source, SummarySentence
from ._briefing import Briefing

__all__ = [
    "PROBLEMS",
    "STATUSES",
    "STATUS_HELP",
    "metadata_line",
    "plain_reason",
    "plural",
    "shown_path",
    "shown_status",
    "source_title",
    "text_counts",
    "warnings",
]

# Problems first (the order of the summary bar: the one list of `toolkit.models`, worst last there, so
# reversed), then "unchecked" (not verified yet), then "supported".
STATUSES = (*(s for s in reversed(_ALL_STATUSES) if s != "supported"), "unchecked", "supported")
PROBLEMS = frozenset(STATUSES) - {"supported"}
STATUS_HELP = {
    "supported": "its citations hold what it says",
    "partial": "its citations hold only part of what it says",
    "unsupported": "its citations do not hold what it says",
    "contradicted": "a cited passage says something different",
    "disputed": "some cited passages support it and others contradict it, or the sources disagree",
    "uncited": "it cites no passage",
    "unchecked": "its citations have not been checked yet",
}


def shown_status(sentence: SummarySentence) -> str:
    """The sentence's status for display and export: `unchecked` before checking, `disputed` when it
    is `supported` by one citation but another cited passage contradicts it."""
    status = sentence.status or "unchecked"
    if status == "supported" and any(c.status == "contradicted" for c in sentence.checks):
        return "disputed"
    return status if status in STATUS_HELP else "unchecked"


def plural(n: int, word: str, many: str = "") -> str:
    """`1 passage`, `2 passages` (or the given plural), with thousands separators."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def text_counts(sentences: Sequence[SummarySentence]) -> tuple[int, int]:
    """(number of sentences, number of words) of the summary text as it stands."""
    return len(sentences), sum(len(s.text.split()) for s in sentences)


def counts_line(sentences: Sequence[SummarySentence]) -> str:
    """`7 sentences, 195 words` for the summary as it stands."""
    n, words = text_counts(sentences)
    return f"{plural(n, 'sentence')}, {plural(words, 'word')}"


def source_title(source: Source, limit: int = 70) -> str:
    """The source's title; untitled, the opening words of its text in quotes; empty, its file name."""
    if source.title.strip():
        return " ".join(source.title.split())
    words = " ".join(source.text.split())
    if words:
        if len(words) > limit:
            words = words[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return f"“{words}” (untitled)"
    return Path(source.path).name or source.id


def shown_path(path: str) -> str:
    """`path` relative to the current folder when it lies under it, else as given (never resolved
    further: a reader sees where the file is from where they ran the command)."""
    if not path or "://" in path or path.startswith("<"):
        return path
    try:
        rel = os.path.relpath(Path(path).absolute(), Path.cwd())
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel


# --- reasons ------------------------------------------------------------------------------------
_PID = r"S\d+:\d+"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        # "supported jointly by S1:2, S3:4: them holds ..." (several passages together)
        (r"supported jointly by ([^:]+(?::\d+)?(?:, " + _PID + r")*): them holds", r"\1 together hold"),
        (r"\bthem holds\b", "together they hold"),
        (
            r"\b(" + _PID + r") gives (.+?) where the sentence says ([^;]+)",
            r"\1 says \2, the sentence says \3",
        ),
        (r"\bholds 100% of the key terms \((\d+)/\1\)", r"has all \1 key words of the sentence"),
        (r"\bholds (\d+)% of the key terms \((\d+)/(\d+)\)", r"has \2 of the sentence's \3 key words (\1%)"),
        (r"\bholds (\d+)% of its key terms", r"has \1% of its key words"),
        (r"no passage holds most of its key terms", "no passage has most of its key words"),
        (r"\bmatched ('[^;]*)", r"found: \1"),
        (r"\bmissing ('[^;]*)", r"not found: \1"),
        (r"not in the passage: ", "the passage does not give "),
        (r"; but (" + _PID + r"(?:, " + _PID + r")*) disagree: ", r"; but \1 contradicts it: "),
    )
)


@lru_cache(maxsize=8192)  # the view words the same reasons again after every edit
def plain_reason(reason: str) -> str:
    """A checker reason in plain words: percentages of key terms become counts of key words, a
    numeric clash reads "S2:3 says 1,383 people, the sentence says 800". Unknown wording is kept."""
    out = " ".join(reason.split())
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    out = re.sub(r"(\d+) more\b", lambda m: plural(int(m.group(1)), "other", "others"), out)
    return out[:1].upper() + out[1:] if out else out


# --- what a reader must know (the exports and the view show the same) ----------------------------
def metadata_line(briefing: Briefing) -> str:
    """How the briefing was made, in one line: the summary's size as it stands (`N sentences, M
    words`, recounted from the sentences, so an edited briefing shows its edited size), engine,
    model, date, sources, words asked, cost."""
    parts = [counts_line(briefing.sentences), f"engine: {briefing.engine}", f"model: {briefing.model}"]
    parts.append(f"created: {briefing.created or 'undated'}")
    parts.append(plural(len(briefing.sources), "source"))
    if briefing.words:
        parts.append(f"{briefing.words} words asked")
    usage = briefing.usage
    if usage.calls or usage.cached_calls:
        parts.append(f"{usage.calls} LLM calls ({usage.cached_calls} cached)")
    if usage.cost_usd is not None:
        parts.append(f"about ${usage.cost_usd:.4f}")
    return " · ".join(parts)


def warnings(briefing: Briefing) -> list[str]:
    """What is unresolved, in reading order: unchecked or not fully supported sentences, citations to
    missing passages, then conflicts between sources. Empty when nothing needs a reader's attention."""
    out: list[str] = []
    if briefing.sentences and all(not s.status for s in briefing.sentences):
        out.append("The citations were not checked against the passages (run `brief verify` on it).")
    for k, s in enumerate(briefing.sentences, 1):
        status = shown_status(s)
        if s.status and status != "supported":
            why = _flat(plain_reason(s.reason or s.note))
            out.append(f"Sentence {k} is {status}" + (f": {why}" if why else "."))
        elif status == "supported":
            weak = [c for c in s.checks if c.status != "supported"]
            out += [
                f"Sentence {k} cites {c.passage}, which is {c.status}: {_flat(plain_reason(c.reason))}"
                for c in weak
            ]
    missing = briefing.unresolved_citations()
    if missing:
        out.append(f"Citations to passages that do not exist: {', '.join(dict.fromkeys(missing))}.")
    for c in briefing.report.conflicts if briefing.report else ():
        sides = " vs ".join(f"{_flat(side.value)} [{side.passage}]" for side in c.sides)
        flag = " (the summary states one side only)" if c.flagged else ""
        out.append(f"Sources disagree on {_flat(c.about)}: {sides}{flag}.")
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())
