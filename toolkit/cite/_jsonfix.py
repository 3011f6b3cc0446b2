"""Lenient JSON for model answers: decode a value with prose after it, drop trailing commas, and
recover the complete items of an answer that was cut off mid-way."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["decode_json", "repair_json"]


def decode_json(text: str) -> Any:
    """The JSON value at the start of `text` (what follows it is ignored), or None."""
    try:
        return json.JSONDecoder().raw_decode(text)[0] if text else None
    except (ValueError, RecursionError):
        return None


def repair_json(s: str) -> tuple[str, bool]:
    """Mend the JSON value at the start of `s`; returns (text, truncated).

    Trailing commas go (`[1, 2,]` -> `[1, 2]`). A value cut off mid-way keeps only the complete
    elements of its outermost array, where an answer's sentence items live, and gets its brackets
    closed: `{"sentences": [{"text": "A"}, {"text": "B` -> `{"sentences": [{"text": "A"}]}`; with no
    complete element the text is "". Text after a complete value is dropped."""
    out: list[str] = []
    stack: list[str] = []
    cut: tuple[int, list[str]] | None = None
    in_string = escape = False
    for ch in s:
        out.append(ch)
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
                if stack[-1:] == ["["] and "[" not in stack[:-1]:
                    cut = (len(out), list(stack))
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]":
            out.pop()
            while out and out[-1].isspace():
                out.pop()
            if out and out[-1] == ",":
                out.pop()
            out.append(ch)
            if not stack or {"{": "}", "[": "]"}[stack.pop()] != ch or not stack:
                return "".join(out), False  # complete, or not JSON we can mend: let the decoder decide
            if stack[-1:] == ["["] and "[" not in stack[:-1]:
                cut = (len(out), list(stack))
    if not stack:
        return "".join(out), False
    if cut is None:
        return "", True
    head = "".join(out[: cut[0]]).rstrip().rstrip(",")
    return head + "".join("]" if b == "[" else "}" for b in reversed(cut[1])), True
