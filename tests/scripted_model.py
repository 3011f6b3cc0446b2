"""A scripted "model" for the fake server: answers our prompts the way a good model would, from the
passages it was actually sent, so tests can check provenance end to end without a real model."""

from __future__ import annotations

import re
from typing import Any

from toolkit.chat.scripted import answer_for

LINE = re.compile(r"^\[(S\d+:\d+)\] (.+)$", re.MULTILINE)
# The compact layout (toolkit.plan.prompting.compact_sources): sources separated by a blank line, each an
# optional `# title` line, then `4 passage text` lines.
SHORT_LINE = re.compile(r"^(\d+) (.+)$", re.MULTILINE)


def compact_blocks(user: str) -> list[list[str]]:
    """The lines of each source of a compact prompt, in order."""
    return [block.splitlines() for block in user.split("\n\n") if block.strip()]


def compact_lines(user: str) -> list[tuple[int, int, str]]:
    """(source number, passage number, text) of every passage line of a compact prompt."""
    out: list[tuple[int, int, str]] = []
    for source, lines in enumerate(compact_blocks(user), 1):
        out += [(source, int(m.group(1)), m.group(2)) for line in lines if (m := SHORT_LINE.match(line))]
    return out


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
    """JSON in the shape each prompt asks for, citing only ids that were in the prompt (the
    in-process double's model, `toolkit.chat.scripted.answer_for`, over HTTP)."""
    return answer_for(*messages(body), per_call)


def prose(body: dict[str, Any], *, per_call: int = 3) -> str:
    """The same content as prose with the citation variants small models write."""
    system, user = messages(body)
    if '{"s":' in system:  # compact prompt: cite short numbers the way models do in prose
        short = SHORT_LINE.findall(user)[:per_call]
        shapes = ["[{n}]", "[{n}, {n}]", "[{n}]"]
        said = [
            first_sentence(t)[:-1] + " " + shapes[k % 3].format(n=n) + "." for k, (n, t) in enumerate(short)
        ]
        return "Here is the briefing:\n\n" + " ".join(said)
    lines = LINE.findall(user)[:per_call]
    styles = ["[{s}, p{p}]", "({sid})", "[{n}]"]
    out = []
    for k, (pid, text) in enumerate(lines):
        sid, p = pid.split(":")
        marker = styles[k % 3].format(s=sid, p=p, sid=pid, n=sid[1:])
        out.append(first_sentence(text)[:-1] + " " + marker + ".")
    return "Here is the briefing:\n\n" + " ".join(out)
