"""Citation markers: formatting `[S1:3; S2:5]`, finding them in text, and normalising the variants
models write (`(S1:3)`, `[S1, p3]`, `[Source 1, passage 3]`, `[S1:3-5]`, `【S1:3】`, `[1]`, ...).

A canonical marker is `[` + passage ids joined by `"; "` + `]`. A citation that names a source but
no passage (`[1]`, `[S1]`, `(Source 2)`) becomes the placeholder id `S1:?`; the answer parser
resolves it to a passage of that source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import passage_sort_key

__all__ = [
    "MARKER",
    "PLACEHOLDER",
    "extract_citations",
    "format_marker",
    "normalise_markers",
    "parse_marker_ids",
    "split_markers",
]

# A canonical marker: one or more passage ids separated by ';' or ','.
MARKER = re.compile(r"\[\s*(S\d+:\d+(?:\s*[;,]\s*S\d+:\d+)*)\s*\]")
_ID = re.compile(r"S\d+:\d+")
# A source-only citation id such as `S2:?`.
PLACEHOLDER = re.compile(r"^S(\d+):\?$")

_ANY_ID = r"S\d+:(?:\d+|\?)"
# Canonical markers including placeholders, tolerant of spacing and ',' separators.
_ANY_MARKER = re.compile(rf"\[\s*({_ANY_ID}(?:\s*[;,]\s*{_ANY_ID})*)\s*\]")
_ANY_ID_RE = re.compile(_ANY_ID)
_CANON = rf"\[{_ANY_ID}(?:; {_ANY_ID})*\]"
# An innermost bracket group; a group may hold canonical markers (`(see [S1:3])`) but no other brackets.
_GROUP = re.compile(rf"([\[(【])((?:[^\[\]()【】\n]|{_CANON})*)([\])】])")
_PAIRS = {"[": "]", "(": ")", "【": "】"}
_RUN = re.compile(rf"{_CANON}(?:[ \t]*[,;]?[ \t]*{_CANON})+")

_PWORD = r"(?:pp?|paras?|paragraphs?|passages?|¶)"
_TOKEN = re.compile(
    rf"""
    (?P<canon>{_CANON})
    | (?P<item>(?:s|sources?\s*|src\.?\s*)(?P<s>\d{{1,6}})(?!\d)
        (?:(?:\s*[:.]\s*(?:{_PWORD}\.?\s*)?|\s*,?\s*{_PWORD}\.?\s*)(?P<p>\d{{1,6}}|\?)
          (?:\s*(?:-|–|—|‐|‑|to\b|through\b)\s*
             (?:(?:s|sources?\s*)(?P<s2>\d{{1,6}})(?:\s*[:.]\s*(?:{_PWORD}\.?\s*)?|\s*,?\s*{_PWORD}\.?\s*))?
             (?P<p2>\d{{1,6}}))?
        )?(?!\w))
    | (?P<num>(?P<n>\d{{1,6}})(?:\s*(?:-|–|—)\s*(?P<n2>\d{{1,6}}))?(?![\w.:]))
    | (?P<sep>[,;&/]|and\b|\s+)
    | (?P<filler>(?:e\.g|i\.e|cf)\.?|†\S*|\^)
    | (?P<word>[^\W\d_]+\.?)
    | (?P<other>.)
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# Words that may surround ids inside a citation: `(see S1:3)`, `[according to Source 2]`.
# fmt: off
_FILLERS = frozenset((
    "see", "also", "source", "sources", "src", "passage", "passages", "para", "paragraph", "paragraphs",
    "ref", "refs", "reference", "references", "citation", "citations", "cited", "citing", "per", "from",
    "via", "in", "according", "to",
))
# fmt: on
_MAX_RANGE = 30  # longer ranges are kept as their two ends
_MAX_BARE_SOURCE = 999  # without `source_count`, `[n]` is a source only below 1000 (never a year)


def format_marker(passage_ids: Iterable[str]) -> str:
    ids = sorted(set(passage_ids), key=passage_sort_key)
    return f"[{'; '.join(ids)}]" if ids else ""


def parse_marker_ids(text: str) -> list[str]:
    """Every passage id named in canonical markers in `text`, in order, without repeats."""
    seen: dict[str, None] = {}
    for m in MARKER.finditer(text):
        for pid in _ID.findall(m.group(1)):
            seen.setdefault(pid, None)
    return list(seen)


def split_markers(text: str) -> tuple[str, list[str]]:
    """`"Iraq said so. [S1:2; S3:1]"` -> `("Iraq said so.", ["S1:2", "S3:1"])`."""
    return _strip(text, MARKER, _ID)


def extract_citations(sentence: str, source_count: int | None = None) -> tuple[str, list[str]]:
    """Like `split_markers`, after `normalise_markers`: the bare text and every cited id in order,
    placeholders such as `S1:?` included. `"Iraq said so (S1, p3)."` -> `("Iraq said so.", ["S1:3"])`."""
    return _strip(normalise_markers(sentence, source_count), _ANY_MARKER, _ANY_ID_RE)


def _strip(text: str, marker: re.Pattern[str], ident: re.Pattern[str]) -> tuple[str, list[str]]:
    seen: dict[str, None] = {}
    for m in marker.finditer(text):
        for pid in ident.findall(m.group(1)):
            seen.setdefault(pid, None)
    bare = marker.sub("", text)
    bare = re.sub(r"\s+([.,;:!?])", r"\1", bare)
    return re.sub(r"\s{2,}", " ", bare).strip(), list(seen)


def normalise_markers(text: str, source_count: int | None = None) -> str:
    """Rewrite every citation variant in `text` to canonical markers; leave everything else alone.

    Only bracketed or parenthesised text is examined. Bare numbers (`[1]`, `[1, 2]`) count as source
    citations only in square brackets and only up to `source_count` (below 1000 when it is None), so
    `[2025]` stays a year; parenthesised citations need an `S`/`Source` (`(S1:3)`, `(Source 2)`).
    """
    for _ in range(8):
        new = _GROUP.sub(lambda m: _rewrite_group(m, source_count), text)
        new = _RUN.sub(lambda m: _render(_ANY_ID_RE.findall(m.group(0))), new)
        if new == text:
            break
        text = new
    return text


def _render(ids: Iterable[str]) -> str:
    return "[" + "; ".join(dict.fromkeys(ids)) + "]"


def _span(source: int, first: int, last: int) -> list[str]:
    if first <= last <= first + _MAX_RANGE:
        return [f"S{source}:{k}" for k in range(first, last + 1)]
    return [f"S{source}:{first}", f"S{source}:{last}"]


def _item_ids(m: re.Match[str]) -> list[str]:
    s = int(m.group("s"))
    p = m.group("p")
    if p is None or p == "?":
        return [f"S{s}:?"]
    if m.group("p2") is None:
        return [f"S{s}:{int(p)}"]
    s2 = int(m.group("s2")) if m.group("s2") else s
    p2 = int(m.group("p2"))
    if s2 != s:
        return [f"S{s}:{int(p)}", f"S{s2}:{p2}"]
    return _span(s, int(p), p2)


def _rewrite_group(m: re.Match[str], source_count: int | None) -> str:
    opening, body, closing = m.group(1), m.group(2), m.group(3)
    whole = m.group(0)
    if _PAIRS[opening] != closing or "://" in body:
        return whole
    tokens = list(_TOKEN.finditer(body))
    kinds = [t.lastgroup for t in tokens]
    if "canon" not in kinds and "item" not in kinds and "num" not in kinds:
        return whole
    noise = [
        t
        for t in tokens
        if t.lastgroup == "other"
        or (t.lastgroup == "word" and t.group(0).lower().rstrip(".") not in _FILLERS)
    ]
    if not noise:
        ids = _pure_ids(tokens, opening, source_count)
        return _render(ids) if ids else whole
    return _rewrite_mixed(opening, closing, tokens, whole)


def _pure_ids(tokens: list[re.Match[str]], opening: str, source_count: int | None) -> list[str]:
    """Ids of a group made only of citations, separators and filler words; [] if it is no citation."""
    has_items = any(t.lastgroup in ("canon", "item") for t in tokens)
    if not has_items:
        # Only bare numbers: `[1]`, `[1, 2]`, `[^2]` -- square brackets only, never words around them.
        if opening == "(" or any(t.lastgroup == "word" for t in tokens):
            return []
        limit = _MAX_BARE_SOURCE if source_count is None else source_count
        nums = [t for t in tokens if t.lastgroup == "num"]
        bounds = [(int(t.group("n")), int(t.group("n2") or t.group("n"))) for t in nums]
        if any(not 1 <= n <= limit for pair in bounds for n in pair):
            return []
        return [f"S{n}:?" for a, b in bounds for n in (range(a, b + 1) if a <= b else (a, b))]
    ids: list[str] = []
    last: tuple[int, bool] | None = None  # (source, named a passage)
    for t in tokens:
        kind = t.lastgroup
        if kind == "canon":
            ids.extend(_ANY_ID_RE.findall(t.group(0)))
            last = None
        elif kind == "item":
            ids.extend(_item_ids(t))
            last = (int(t.group("s")), t.group("p") not in (None, "?"))
        elif kind == "num":
            a, b = int(t.group("n")), int(t.group("n2") or t.group("n"))
            if last is not None and last[1]:  # `[S1:3, 4]`: more passages of the same source
                ids.extend(_span(last[0], a, b))
            else:  # `[S1, 2]`: another source
                ids.extend(f"S{n}:?" for n in (range(a, b + 1) if a <= b <= a + _MAX_RANGE else (a, b)))
    return ids


def _rewrite_mixed(opening: str, closing: str, tokens: list[re.Match[str]], whole: str) -> str:
    """`(as Reuters reported, S1:3)` -> `(as Reuters reported) [S1:3]`: only ids naming a passage
    are taken out of a group that also holds other words."""
    ids: list[str] = []
    rest: list[re.Match[str]] = []
    for t in tokens:
        if t.lastgroup == "canon":
            ids.extend(_ANY_ID_RE.findall(t.group(0)))
        elif t.lastgroup == "item" and t.group("p") is not None:
            ids.extend(_item_ids(t))
        else:
            rest.append(t)
    if not ids:
        return whole

    def loose(t: re.Match[str]) -> bool:
        word = t.group(0).lower().rstrip(".")
        return t.lastgroup in ("sep", "filler") or (t.lastgroup == "word" and word in _FILLERS)

    while rest and loose(rest[0]):
        rest.pop(0)
    while rest and loose(rest[-1]):
        rest.pop()
    remaining = re.sub(r"\s{2,}", " ", "".join(t.group(0) for t in rest)).strip()
    if not any(ch.isalnum() for ch in remaining):
        return _render(ids)
    return f"{opening}{remaining}{closing} {_render(ids)}"
