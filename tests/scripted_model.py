"""A scripted "model" for the fake server: answers our prompts the way a good model would, from the
passages it was actually sent, so tests can check provenance end to end without a real model."""

from __future__ import annotations

import json
import re
from typing import Any

LINE = re.compile(r"^\[(S\d+:\d+)\] (.+)$", re.MULTILINE)
NOTE = re.compile(r"^- (.+?) \[([^\]]+)\]$", re.MULTILINE)


def messages(body: dict[str, Any]) -> tuple[str, str]:
    system = user = ""
    for m in body.get("messages", []):
        if m.get("role") == "system":
            system = m.get("content", "")
        elif m.get("role") == "user":
            user = m.get("content", "")
    return system, user


def first_sentence(text: str) -> str:
    cut = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return cut if cut.endswith((".", "!", "?")) else cut + "."


def answer(body: dict[str, Any], *, per_call: int = 4) -> str:
    """JSON in the shape each prompt asks for, citing only ids that were in the prompt."""
    system, user = messages(body)
    if "<notes>" in user:
        notes = NOTE.findall(user)[:per_call]
        sentences = [{"text": t, "citations": [c.strip() for c in ids.split(";")]} for t, ids in notes]
        return json.dumps({"sentences": sentences})
    lines = LINE.findall(user)[:per_call]
    items = [{"text": first_sentence(text), "citations": [pid]} for pid, text in lines]
    key = "notes" if "notes" in system.split("Answer with JSON")[-1] else "sentences"
    return json.dumps({key: items})


def prose(body: dict[str, Any], *, per_call: int = 3) -> str:
    """The same content as prose with the citation variants small models write."""
    _, user = messages(body)
    lines = LINE.findall(user)[:per_call]
    styles = ["[{s}, p{p}]", "({sid})", "[{n}]"]
    out = []
    for k, (pid, text) in enumerate(lines):
        sid, p = pid.split(":")
        marker = styles[k % 3].format(s=sid, p=p, sid=pid, n=sid[1:])
        out.append(first_sentence(text)[:-1] + " " + marker + ".")
    return "Here is the briefing:\n\n" + " ".join(out)
