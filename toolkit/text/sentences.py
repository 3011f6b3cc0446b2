"""Sentence splitting with character offsets, tuned for news prose (no downloads, no models).

`split_sentences(text, offset)` returns (start, end) spans whose slices are the sentences, with
leading and trailing whitespace excluded. Spans never overlap and cover every non-space character.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences", "words"]

# Words that end with a period without ending a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cmdr",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "inc",
        "corp",
        "ltd",
        "co",
        "bros",
        "dept",
        "univ",
        "est",
        "approx",
        "vs",
        "etc",
        "no",
        "nos",
        "vol",
        "fig",
        "al",
    ]
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"""(?<![.!?…])[.!?…]+["'”’)\]]*(?=\s)""")
_NEXT_START = re.compile(r"""\s+["'“‘(\[]*[A-Z0-9\u00C0-\u024F\u0400-\u04FF\u0600-\u06FF]""")
_INITIALISM = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]?$")
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _is_abbreviation(before: str) -> bool:
    """`before` is the text up to (not including) the period."""
    token = before.rsplit(None, 1)[-1] if before.strip() else ""
    token = token.lstrip("\"'“‘([")
    if not token:
        return False
    if token.lower().rstrip(".") in _ABBREVIATIONS:
        return True
    if _INITIALISM.search(token + "."):
        # "U.S." / "J." / "a.m." – but a lone capital word like "I." is rare in news.
        return len(token) <= 4 or "." in token
    return False


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split `text` into sentence spans (absolute offsets: `offset` is added to each)."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        punct = m.group(0)
        nxt = _NEXT_START.match(text, end)
        if nxt is None:
            continue
        single_period = punct.startswith(".") and len(punct.rstrip("\"'”’)]")) == 1
        if single_period and _is_abbreviation(text[start : m.start()]):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, n))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        # Newlines inside a paragraph also end a sentence (headlines, list items).
        for ls, le in _split_lines(text, s, e):
            out.append((ls + offset, le + offset))
    return out


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        while ls < le and text[ls].isspace():
            ls += 1
        while le > ls and text[le - 1].isspace():
            le -= 1
        if le > ls:
            pieces.append((ls, le))
    return pieces


def words(text: str) -> list[str]:
    """Word tokens (letters, digits, inner apostrophes and hyphens)."""
    return _WORD.findall(text)
