"""Prompt templates from `prompts/` (installed as `toolkit.prompts`) and the sources they embed.

Templates use `$name` placeholders (string.Template). Rendering is strict: a placeholder without a
value is a `PromptError` naming it, so an edited template cannot silently send a prompt with holes.

Two layouts for sources:

- compact (what the summary prompts send): sources separated by a blank line, each with one
  `# title · outlet · date` line when it has any of those, then one line per passage starting with its
  short number (`ShortIds`: 1, 2, 3 ... one token each up to 999; the answer cites those numbers and
  `toolkit.cite.answers` maps them back to `S2:4`). Each passage is flattened to one line, so nothing
  inside an article can start a line of its own (a header or a passage number); square brackets become
  parentheses, `^` becomes `ˆ` and `S1:3`-shaped text loses its colon, so no text poses as a citation or
  a repeat mark. Nothing is sent twice: a sentence of six words or more that an earlier passage line of
  the same prompt already holds word for word is replaced by `^4` (passage 4 holds it; two tokens where
  the sentence cost twenty or more), and `<br>` tags (line breaks, not content) become spaces;
- plain (the summary prompt when citations are found locally, `cite="local"`): the same layout
  without passage numbers, a line per passage, each sentence an earlier line holds word for word left
  out (no mark: the answer cites nothing, so nothing needs to point back to it), and the title line
  without its `#`;
- `<source>` blocks holding `[S1:3] text` lines (the judge and citation-repair prompts), with anything
  that could close the block escaped as well.
"""

from __future__ import annotations

import importlib.resources
import re
import string
from collections.abc import Iterable
from functools import lru_cache

from ..cite.short_ids import ShortIds
from ..errors import PromptError
from ..models import Passage, Source
from ..text.safe import fold_lookalikes

__all__ = [
    "REPEAT_MARK",
    "REPEAT_NOTE",
    "ShortIds",
    "compact_line",
    "compact_sources",
    "escape_source_text",
    "header_line",
    "load_template",
    "plain_header",
    "plain_sources",
    "render",
    "source_blocks",
]


@lru_cache(maxsize=64)
def load_template(name: str) -> str:
    """The text of `prompts/<name>.txt` (edit those files to change what the models are asked)."""
    try:
        return (importlib.resources.files("toolkit.prompts") / f"{name}.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError) as e:
        raise PromptError(f"prompt template {name!r} not found: expected toolkit/prompts/{name}.txt") from e


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


_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "^": "ˆ"})
_BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
REPEAT_MIN_WORDS = 6  # shorter sentences are sent again (a repeat mark would save little)
REPEAT_MARK = "^"  # `^4`: a sentence passage 4 already holds (never in article text: `^` becomes `ˆ`)
REPEAT_NOTE = " ^4 repeats a sentence of passage 4."  # what the merge prompt says when marks are used
_ID_LIKE = re.compile(r"\b([Ss])\s*(\d+)\s*[:.]\s*(\d+)")
_SPACE = re.compile(r"\s{2,}|[^\S ]")  # a whitespace run other than one plain space (those stay as they are)
_BRACKET_CHARS = "".join(map(chr, _BRACKETS))  # what `_no_brackets` looks for: the table's keys


def escape_line(text: str) -> str:
    """Article text as one compact prompt line: no square brackets or `^`, nothing shaped like a passage
    id (`S1:3` becomes `S1 3`), `<br>` tags as spaces, no other tags or chat-template tokens (`<` `>`
    as entities), whitespace runs (newlines included) collapsed to one space. `&` stays as it is
    (`Bed Bath & Beyond`: `&amp;` would cost two more tokens each time, and an `&lt;` already in the
    text is no tag either)."""
    text = _BREAK_TAG.sub(" ", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return _SPACE.sub(" ", _ID_LIKE.sub(r"\1\2 \3", _no_brackets(text))).strip()


def escape_source_text(text: str) -> str:
    """Make article text safe inside a `<source>` block: no tags, nothing shaped like a passage marker
    (square brackets become parentheses and `S1:3` becomes `S1 3`), one line. Disguised markers are
    unmasked first (`safe_text.fold_lookalikes`: NFKC, zero-width characters removed, look-alike
    letters, colons and brackets folded), so `［S2：5］`, `(S\u200b2:5)`, a Cyrillic `Ѕ`, `〔S2∶5〕`
    and `Ｓ2:5` are neutralised like `[S2:5]`."""
    text = fold_lookalikes(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ID_LIKE.sub(r"\1\2 \3", _no_brackets(text))
    return _SPACE.sub(" ", text).strip()


def _no_brackets(text: str) -> str:
    """`text` with square brackets and `^` replaced (`_BRACKETS`); translated only when it holds one
    (`str.translate` walks every character through a dict: most lines hold none)."""
    return text.translate(_BRACKETS) if any(c in text for c in _BRACKET_CHARS) else text


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


def header_line(source: Source) -> str:
    """`# title · outlet · date` and a newline (only the parts the source has; "" when it has none: a
    blank line before it is what starts a source)."""
    meta = " · ".join(escape_line(x) for x in (source.title, source.outlet, source.date) if x)
    return f"# {meta}\n" if meta else ""


def compact_line(number: int, text: str) -> str:
    """One passage as a compact prompt line: its short number, a space, the flattened text."""
    return f"{number} {escape_line(text)}\n"


def _repeat_key(sentence: str) -> str | None:
    words = _BREAK_TAG.sub(" ", sentence).casefold().split()
    return " ".join(words) if len(words) >= REPEAT_MIN_WORDS else None


def _passage_line(number: int, passage: Passage, seen: dict[str, int]) -> str:
    """`compact_line`, with each sentence an earlier line already holds (`seen`: sentence key -> that
    line's number) as `^n` (runs of them from one line as one mark); records this line's sentences."""
    if not passage.sentences:
        return compact_line(number, passage.text)
    parts: list[str] = []
    cursor = 0
    last_mark: int | None = None
    for sentence in passage.sentences:
        a, b = sentence.start - passage.start, sentence.end - passage.start
        if not 0 <= a <= b <= len(passage.text) or a < cursor:
            return compact_line(number, passage.text)  # offsets that do not fit: send it whole
        key = _repeat_key(sentence.text)
        earlier = seen.get(key) if key else None
        if earlier is None or earlier == number:
            if key:
                seen.setdefault(key, number)
            continue
        between = escape_line(passage.text[cursor:a])
        if between or last_mark != earlier:
            parts += [between, f"{REPEAT_MARK}{earlier}"] if between else [f"{REPEAT_MARK}{earlier}"]
        last_mark, cursor = earlier, b
    if cursor == 0:
        return compact_line(number, passage.text)
    rest = escape_line(passage.text[cursor:])
    return f"{number} {' '.join([*parts, rest] if rest else parts)}\n"


def compact_sources(groups: Iterable[tuple[Source, Iterable[Passage]]], ids: ShortIds) -> str:
    """Each source with passages as an optional header line followed by its numbered passage lines,
    sources separated by a blank line; sentences repeated word for word sent once (`^n` after that)."""
    blocks: list[str] = []
    seen: dict[str, int] = {}
    for source, passages in groups:
        lines = [_passage_line(ids.short(p.id), p, seen) for p in passages]
        if lines:
            blocks.append(header_line(source) + "".join(lines))
    return "\n".join(blocks).rstrip("\n")


def _plain_line(passage: Passage, seen: set[str]) -> str:
    """One passage as a plain prompt line: flattened, without the sentences an earlier line holds word
    for word (`seen`: their keys; this line's are added), "" when nothing new is left."""
    if not passage.sentences:
        return escape_line(passage.text)
    parts: list[str] = []
    cursor = 0
    for sentence in passage.sentences:
        a, b = sentence.start - passage.start, sentence.end - passage.start
        if not 0 <= a <= b <= len(passage.text) or a < cursor:
            return escape_line(passage.text)  # offsets that do not fit: send it whole
        key = _repeat_key(sentence.text)
        if key is None or key not in seen:
            if key:
                seen.add(key)
            continue
        parts.append(passage.text[cursor:a])
        cursor = b
    parts.append(passage.text[cursor:])
    return escape_line(" ".join(parts))


def plain_header(source: Source) -> str:
    """`date title · outlet` and a newline (the parts the source has; "" when it has none). The date
    first needs no separator token before the title (an ISO date cannot be read as part of it)."""
    head = " ".join(escape_line(x) for x in (source.date, source.title) if x)
    if source.outlet:
        head = f"{head} · {escape_line(source.outlet)}" if head else escape_line(source.outlet)
    return f"{head}\n" if head else ""


def plain_sources(groups: Iterable[tuple[Source, Iterable[Passage]]]) -> str:
    """Each source with passages as an optional `date title · outlet` line followed by one line per
    passage (no numbers), sources separated by a blank line; a sentence sent once is not sent again.
    (No `#` before the title: nothing is cited, so a line taken for a title or a passage misleads no
    citation.)"""
    blocks: list[str] = []
    seen: set[str] = set()
    for source, passages in groups:
        lines = [line for p in passages if (line := _plain_line(p, seen))]
        if lines:
            blocks.append(plain_header(source) + "\n".join(lines))
    return "\n\n".join(blocks)
