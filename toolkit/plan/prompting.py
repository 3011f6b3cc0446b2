"""Prompt templates from `prompts/` (installed as `toolkit.prompts`) and the source blocks they embed.

Templates use `$name` placeholders (string.Template). Rendering is strict: a placeholder without a
value is a `PromptError` naming it, so an edited template cannot silently send a prompt with holes.
Source text goes into `<source>` blocks with anything that could close the block or pose as a passage
id neutralised, so text inside an article stays data.
"""

from __future__ import annotations

import importlib.resources
import re
import string
from collections.abc import Iterable
from functools import lru_cache

from ..errors import PromptError
from ..models import Passage, Source

__all__ = ["escape_source_text", "load_template", "render", "source_blocks"]


@lru_cache(maxsize=64)
def load_template(name: str) -> str:
    """The text of `prompts/<name>.txt` (edit those files to change what the models are asked)."""
    try:
        return (importlib.resources.files("toolkit.prompts") / f"{name}.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError) as e:
        raise PromptError(f"prompt template {name!r} not found: expected prompts/{name}.txt") from e


def placeholders(template: str) -> set[str]:
    found: set[str] = set()
    for m in string.Template.pattern.finditer(template):
        name = m.group("named") or m.group("braced")
        if name:
            found.add(name)
    return found


def render(name: str, **values: object) -> str:
    """Fill template `name`; every placeholder must get a value, and every value must be used."""
    template = load_template(name)
    wanted = placeholders(template)
    missing = sorted(wanted - values.keys())
    if missing:
        raise PromptError(f"prompt {name!r} needs a value for {', '.join('$' + m for m in missing)}")
    unused = sorted(values.keys() - wanted)
    if unused:
        raise PromptError(f"prompt {name!r} has no placeholder for {', '.join(unused)}")
    try:
        return string.Template(template).substitute({k: str(v) for k, v in values.items()})
    except (KeyError, ValueError) as e:
        raise PromptError(f"prompt {name!r} could not be rendered: {e}") from e


_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")"})
_ID_LIKE = re.compile(r"\b([Ss])\s*(\d+)\s*[:.]\s*(\d+)")
_SPACE = re.compile(r"\s+")


def escape_source_text(text: str) -> str:
    """Make article text safe inside a `<source>` block: no tags, nothing shaped like a passage marker
    (square brackets become parentheses and `S1:3` becomes `S1 3`), one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ID_LIKE.sub(r"\1\2 \3", text.translate(_BRACKETS))
    return _SPACE.sub(" ", text).strip()


def _attr(value: str) -> str:
    return escape_source_text(value).replace('"', "&quot;")


def source_blocks(sources: Iterable[tuple[Source, Iterable[Passage]]]) -> str:
    """`<source id="S1" title="...">` blocks holding `[S1:3] text` lines, one per passage."""
    blocks: list[str] = []
    for source, passages in sources:
        lines = [f"[{p.id}] {escape_source_text(p.text)}" for p in passages]
        if not lines:
            continue
        head = f'<source id="{source.id}"'
        if source.title:
            head += f' title="{_attr(source.title)}"'
        if source.outlet:
            head += f' outlet="{_attr(source.outlet)}"'
        if source.date:
            head += f' date="{_attr(source.date)}"'
        blocks.append(head + ">\n" + "\n".join(lines) + "\n</source>")
    return "\n\n".join(blocks)
