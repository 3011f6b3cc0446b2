"""Citation markers: formatting `[S1:3; S2:5]` and finding them in text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import passage_sort_key

__all__ = ["MARKER", "format_marker", "parse_marker_ids", "split_markers"]

# A canonical marker: one or more passage ids separated by ';' or ','.
MARKER = re.compile(r"\[\s*(S\d+:\d+(?:\s*[;,]\s*S\d+:\d+)*)\s*\]")
_ID = re.compile(r"S\d+:\d+")


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
    ids = parse_marker_ids(text)
    bare = MARKER.sub("", text)
    bare = re.sub(r"\s+([.,;:!?])", r"\1", bare)
    return re.sub(r"\s{2,}", " ", bare).strip(), ids
