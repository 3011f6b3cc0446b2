"""Turn whatever a model answered into summary sentences with normalised, checked citations.

`parse_answer(raw, corpus, ids)` accepts the compact JSON the prompts ask for
(`{"s": [["text", [4, 17]]]}`, numbers being the prompt's short passage ids,
`toolkit.plan.prompting.ShortIds`), the long form (`{"sentences": [{"text", "citations": ["S1:3"]}]}`) and
the shapes models actually send: other keys, bare lists, citation strings or numbers, code fences,
prose around the JSON, trailing commas, answers cut off mid-way, or plain prose with inline markers
(`Iraq said so [S1:3].`, or `[4, 17]` when short ids were given). It never raises: what it could not
use is reported in `problems`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..models import Corpus, SummarySentence, _Value
from ..text.safe import heading_text
from ..text.sentences import split_sentences
from ..text.similarity import content_terms, tfidf_matrix
from ._jsonfix import decode_json, repair_json
from .markers import PLACEHOLDER, extract_citations, normalise_markers, split_markers
from .short_ids import ShortIds

__all__ = ["ParsedAnswer", "parse_answer", "parse_plain", "reference_heading"]


class ParsedAnswer(_Value):
    """The sentences read from one answer; `invalid` lists cited ids missing from the corpus (they stay
    in the sentences' citations so a repair can be asked for); `problems` are human-readable notes."""

    sentences: tuple[SummarySentence, ...] = ()
    format: str = "prose"  # json | prose
    problems: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


_Draft = tuple[str, list[str]]  # bare sentence text, cited ids (placeholders included)

_LIST_KEYS = ("s", "sentences", "summary", "claims", "notes", "points", "bullets", "items", "statements")
_MORE_KEYS = ("facts", "briefing", "brief", "answer", "result", "output", "response", "data")
_TEXT_KEYS = ("text", "sentence", "claim", "content", "statement", "point", "summary", "note", "fact")
_CITE_KEYS = ("citations", "citation", "cites", "sources", "source_ids", "passages", "passage_ids", "ids")
_ITEM_CITE_KEYS = ("refs", "references", "evidence", "support", "source", "source_id", "passage", "paragraph")

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.S | re.I)
_FENCE = re.compile(r"```[ \t]*[\w-]*[ \t]*\n?(.*?)(?:```|\Z)", re.S)
_JSON_START = re.compile(r"\{\s*(?:\"|\})|\[\s*(?:\{|\"|\[|\])")
_LEADING_MARKERS = re.compile(r"^(?:\[S\d+:(?:\d+|\?)(?:; S\d+:(?:\d+|\?))*\]\s*)+")
_BOLD_LINE = re.compile(r"^(\*\*|__)[^*_\[(]*[^*_\[(.!?\s]\1:?$")  # `**Summary**`, not `**It fell.**`
_BULLET = re.compile(r"^(?:>\s*)*(?:[-*+•·▪‣]\s+|\(?\d{1,3}[.)]\s+)?")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")
_REF_HEADING = re.compile(
    r"^(?:#+\s*)?[*_]*(?:sources?|references?|citations?|works cited|bibliography)[*_]*:?[*_]*$", re.I
)
_TITLE = re.compile(r"^(?:\S+\s+){0,7}\S*[^\s.!?…\"'”’]$")  # a short first block without a full stop
_LINK_DEF = re.compile(r"^\[\^?[^\]]+\]:\s")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|`([^`\n]*)`")


def parse_answer(raw: str, corpus: Corpus, ids: ShortIds | None = None) -> ParsedAnswer:
    """Read one model answer into sentences whose citations are passage ids of `corpus`. With `ids`
    (the short ids the prompt showed), bare numbers as citations are passages, mapped back through
    `ids`; without, a bare number names a source (`[2]` = some passage of S2)."""
    problems: list[str] = []
    text = _without_reasoning(raw)
    if not text.strip():
        return ParsedAnswer(problems=(_empty(raw),))
    count = len(corpus.sources)
    found = _read_json(text, problems)
    if found is None:
        problems.append("answer was not JSON; parsed inline markers")
    if found is None:
        drafts = _prose(_long_markers(text, ids, problems), count, problems)
    else:
        drafts = _json_drafts(found, count, problems, ids)
    sentences, invalid = _resolve(drafts, corpus, problems)
    if not sentences:
        problems.append("answer had no sentences")
    return ParsedAnswer(
        sentences=tuple(sentences),
        format="prose" if found is None else "json",
        problems=tuple(dict.fromkeys(problems)),
        invalid=invalid,
    )


def parse_plain(raw: str, sources: int = 0, cut_off: bool = False) -> ParsedAnswer:
    """Read a plain answer (one sentence per line, as the `cite="local"` prompt asks) into sentences
    without citations: hidden reasoning, headings, rules, bullets, a title line and a reference list
    are dropped as in prose answers; citation markers a model wrote anyway are taken out of the text
    (the checker finds each sentence's passages itself). A model that answered JSON anyway (a server
    or template forcing it) is read as `parse_answer` reads JSON, its citations dropped. `cut_off`:
    the answer stopped at the output limit (or was capped), so a last sentence without its closing
    punctuation is a fragment and is dropped, as a JSON answer's unfinished item is. Never raises."""
    problems: list[str] = []
    text = _without_reasoning(raw)
    if not text.strip():
        return ParsedAnswer(problems=(_empty(raw),))
    found = _read_json(text, problems) if _JSON_START.match(text.strip()) or "```" in text else None
    drafts = _json_drafts(found, sources, problems) if found is not None else _prose(text, sources, problems)
    sentences = [SummarySentence(text=bare) for bare, _ in drafts if bare.strip()]
    sentences = _without_chatter(sentences, problems)
    if cut_off and sentences and not _FINISHED.search(sentences[-1].text):
        sentences.pop()
        problems.append("answer was cut off mid-sentence; dropped its unfinished last sentence")
    if not sentences:
        problems.append("answer had no sentences")
    return ParsedAnswer(sentences=tuple(sentences), format="prose", problems=tuple(dict.fromkeys(problems)))


def _without_chatter(sentences: list[SummarySentence], problems: list[str]) -> list[SummarySentence]:
    """`sentences` without the chat around a briefing: an opening addressed to the reader ("Sure!",
    "Here is a 200-word briefing on ...") and a closing one ("I hope this helps.", "Let me know if
    ..."). Only at the start and the end, where chat models put it (English wording)."""
    start, end = 0, len(sentences)
    while start < end and _OPENER.match(sentences[start].text):
        start += 1
    while end > start and _CLOSER.match(sentences[end - 1].text):
        end -= 1
    if dropped := len(sentences) - (end - start):
        problems.append(f"dropped {dropped} sentence{'' if dropped == 1 else 's'} addressed to the reader")
    return sentences[start:end]


_META = r"|(?:note|disclaimer):\s*(?:this|the) (?:summary|briefing)\b"  # a note about the answer itself
_YES = r"(?:sure|certainly|of course|okay|ok|absolutely|alright)"
_OPENER = re.compile(
    rf"^(?:{_YES}[!.]$|(?:{_YES}[,!.]?\s+)?"
    r"(?:here(?:'s|’s| is| are)|below is|the following is)\b[^:]{0,120}"
    rf"\b(?:briefing|summary|overview|report|articles?|sources?)\b[^:]{{0,80}}[.:!]${_META})",
    re.I,
)
_CLOSER = re.compile(
    r"^(?:i hope\b|hope this\b|let me know\b|please let me know\b|feel free\b|is there anything\b"
    r"|would you like\b|if you (?:need|have|want|would like)(?: any| more| further| additional| other)*\s*"
    rf"(?:questions?|details?|information|help|clarifications?|changes?|more|anything)\b{_META})",
    re.I,
)
_FINISHED = re.compile(r"[.!?…。！？؟][\"'”’»)\]]*\s*$")  # a sentence that ends as sentences do


def reference_heading(line: str) -> bool:
    """Whether `line` heads the reference list a model may append ("Sources:", "## References"):
    the answer ends before it."""
    return bool(_REF_HEADING.match(line.strip()))


def _empty(raw: str | None) -> str:
    """Why an answer with no text outside reasoning holds nothing."""
    low = (raw or "").lower()
    if "<think>" in low and "</think>" not in low and low.split("<think>", 1)[1].strip():
        return "answer was only reasoning (a <think> block never closed)"
    return "answer was empty"


def _without_reasoning(raw: str | None) -> str:
    """The answer without `<think>` blocks (DeepSeek-R1-style models), or what follows a lone `</think>`."""
    text = _THINK.sub("", raw or "")
    return text.rsplit("</think>", 1)[1] if "</think>" in text else text


# -- JSON ---------------------------------------------------------------------------------------------


def _read_json(text: str, problems: list[str]) -> list[Any] | dict[str, Any] | None:
    """The JSON value in `text` (None when the answer is prose). A JSON-looking answer that cannot be
    read at all gives `[]` and a problem rather than being parsed as prose."""
    fenced = [m.group(1) for m in _FENCE.finditer(text) if m.group(1).lstrip()[:1] in ("{", "[")]
    body = fenced[0] if fenced else text
    starts = [m.start() for m in _JSON_START.finditer(body)][:8]
    leading = bool(fenced) or body.lstrip()[:1] == "{" or bool(starts and not body[: starts[0]].strip())
    for start in starts:
        first = leading and start == starts[0]
        if not leading and extract_citations(body[:start])[1]:
            break  # cited prose before it: `{...}` further on is part of the prose
        repaired, truncated = repair_json(body[start:])
        if truncated and (first or _sentence_shaped(decode_json(repaired))):
            problems.append("answer was truncated")
            value = decode_json(repaired)
            return value if isinstance(value, dict | list) else []
        for candidate in (body[start:], "" if truncated else repaired):
            value = decode_json(candidate)
            # Inside prose only sentence-like JSON counts: `{"role": "system"}` or `["no"]` is prose.
            if isinstance(value, dict | list) and (first or _sentence_shaped(value)):
                if leading and not first:
                    problems.append("answer JSON was malformed; read only the part that parsed")
                return value
    if leading:
        problems.append("answer looked like JSON but could not be parsed")
        return []
    return None


def _sentence_shaped(value: Any) -> bool:
    """An object holding a sentence list, one sentence object with citations, or a list of those."""
    values = value[:20] if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, dict) for v in values):
        return False
    keys = [{str(k).lower() for k in v} for v in values]
    return all(bool(k & set(_LIST_KEYS)) or bool(k & set(_TEXT_KEYS) and k & set(_CITE_KEYS)) for k in keys)


def _items(value: Any, depth: int = 0) -> list[Any]:
    """The list of sentence items inside a decoded JSON answer."""
    if depth > 4:
        return []
    if isinstance(value, list | str):
        return value if isinstance(value, list) else [value]
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        for key in _LIST_KEYS + _MORE_KEYS:
            if key in lowered and (found := _items(lowered[key], depth + 1)):
                return found
        if any(key in lowered for key in _TEXT_KEYS):
            return [value]
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    return []


_SHORT_GROUP = re.compile(r"\[\s*#?\d{1,6}(?:\s*[,;]\s*#?\d{1,6})*\s*\]")
_NUMBER = re.compile(r"\d{1,6}")


def _long_markers(text: str, ids: ShortIds | None, problems: list[str]) -> str:
    """`[4, 17]` -> `[S1:4; S2:5]`: bracketed short ids in prose as canonical markers; a number the
    prompt never showed is dropped and reported."""
    if ids is None:
        return text

    def swap(m: re.Match[str]) -> str:
        known: list[str] = []
        for n in _NUMBER.findall(m.group(0)):
            pid = ids.passage(int(n))
            if pid is None:
                problems.append(f"cited passage number {n}, which the prompt did not show")
            else:
                known.append(pid)
        return "[" + "; ".join(known) + "]" if known else ""

    return _SHORT_GROUP.sub(swap, text)


def _json_drafts(value: Any, count: int, problems: list[str], ids: ShortIds | None = None) -> list[_Draft]:
    drafts: list[_Draft] = []
    for item in _items(value):
        text: Any = None
        cited: list[str] = []
        if isinstance(item, str):
            drafts.extend(_prose(_long_markers(item, ids, problems), count, problems, labels=False))
            continue
        if isinstance(item, list) and item and isinstance(item[0], str):  # ["text", [4, 17]]
            text, cited = item[0], _cited(item[1:], problems, ids=ids)
        elif isinstance(item, dict):
            lowered = {str(k).lower(): v for k, v in item.items()}
            text = next((lowered[k] for k in _TEXT_KEYS if isinstance(lowered.get(k), str)), None)
            key = next((k for k in _CITE_KEYS if k in lowered), None)
            loose = {k: v for k, v in lowered.items() if k in _ITEM_CITE_KEYS}
            cited = _cited(lowered[key] if key else loose or None, problems, ids=ids)
        if not isinstance(text, str):
            problems.append(f"skipped an item without text: {_short(item)}")
            continue
        marked = _long_markers(_clean_inline(text), ids, problems)
        # With its own citation list, a sentence's text is read for canonical markers only: loose forms
        # such as `(S1 2)` there are article text the model copied (the prompt's `[S1:2]` escaped).
        bare, inline = split_markers(marked) if cited else extract_citations(marked, count)
        drafts.append((bare, cited + inline))
    return drafts


def _cited(value: Any, problems: list[str], depth: int = 0, ids: ShortIds | None = None) -> list[str]:
    """Passage ids from a citations field: strings, numbers (short passage ids with `ids`, else
    sources), lists, {"source", "passage"}."""
    if value is None or depth > 3:
        return []
    if (isinstance(value, int) and not isinstance(value, bool) and value >= 1) or (
        isinstance(value, float) and value.is_integer() and value >= 1
    ):
        return [ids.expand(int(value)) if ids is not None else f"S{int(value)}:?"]
    if isinstance(value, str) and ids is not None and re.fullmatch(r"\s*#?\d{1,6}\s*", value):
        return [ids.expand(int(value.strip().lstrip("#")))]
    if isinstance(value, str):
        found = extract_citations("[" + value.strip().strip("[]()【】") + "]")[1] if value.strip() else []
        if not found and value.strip():
            problems.append(f"could not read citation {_short(value)}")
        return found
    if isinstance(value, list):
        return [pid for v in value for pid in _cited(v, problems, depth + 1, ids)]
    if isinstance(value, dict):
        low = {str(k).lower(): v for k, v in value.items()}
        src, pas = low.get("source", low.get("source_id")), low.get("passage", low.get("paragraph"))
        if src is not None and pas is not None and not isinstance(pas, dict | list):
            return _cited(f"S{str(src).lstrip('Ss')}:{pas}", problems, depth + 1, ids)
        key = next(
            (k for k in ("id", "passage_id", "citation", "ref", "passage", "source") if k in low), None
        )
        return _cited(low[key], problems, depth + 1, ids) if key else []
    problems.append(f"could not read citation {_short(value)}")
    return []


def _short(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return repr(text if len(text) <= 60 else text[:57] + "...")


# -- prose --------------------------------------------------------------------------------------------


def _clean_inline(text: str) -> str:
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text)
    return re.sub(r"\s+", " ", text).strip()


def _lines(text: str, problems: list[str], labels: bool) -> list[str]:
    """Content lines without headings, rules, list bullets or a trailing reference list; hard-wrapped
    lines of one paragraph are joined again."""
    lines: list[str] = []
    new_block = True
    raw_lines = text.splitlines()
    for i, raw_line in enumerate(raw_lines):
        line = raw_line.strip()
        if _REF_HEADING.match(line) and lines:
            problems.append("dropped a reference list at the end of the answer")
            break
        heading = heading_text(line, indent=0)
        if heading is not None:
            title = heading
            line = title if "[" in title or "(" in title else ""
        if not line or line.startswith("```") or any(r.match(line) for r in (_RULE, _LINK_DEF, _BOLD_LINE)):
            new_block = True
            continue
        bullet = _BULLET.match(line)
        is_item = bool(bullet and bullet.group(0))
        line = _clean_inline(line[bullet.end() if bullet else 0 :])
        plain = labels and "[" not in line and "(" not in line
        alone = i + 1 == len(raw_lines) or not raw_lines[i + 1].strip()
        below = "" if alone else _clean_inline(raw_lines[i + 1].strip())[:1]
        # `Varna Earthquake Briefing` right over the text (not a hard-wrapped line going on in lower case)
        titled = alone or (not is_item and not below.islower() and _headline(line))
        if (
            not line
            or (plain and line.endswith(":"))
            or (plain and titled and not lines and _TITLE.match(line))
        ):
            new_block = True
            continue
        if lines and not new_block and not is_item and line[0].islower() and lines[-1][-1:].isalpha():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
        new_block = False
    return lines


def _headline(line: str) -> bool:
    """A title even with text right below it: at most three words, or every word of four letters or
    more capitalised (`Varna Earthquake Briefing`, `Key facts`; not `The quake struck Varna on`)."""
    words = line.split()
    return len(words) <= 3 or all(w[:1].isupper() or not w[:1].isalpha() for w in words if len(w) > 3)


def _prose(text: str, count: int, problems: list[str], labels: bool = True) -> list[_Draft]:
    """Sentences of a prose answer; with `labels`, uncited lines ending in ':' and a short first line
    standing alone (a title) are dropped too."""
    drafts: list[_Draft] = []
    pending: list[str] = []  # markers seen before any sentence
    for line in _lines(text, problems, labels):
        line = normalise_markers(line, count)
        line = re.sub(r"([.!?…][\"'”’)]*)(\[S\d)", r"\1 \2", line)
        for k, (a, b) in enumerate(split_sentences(line)):
            sentence = line[a:b]
            lead = _LEADING_MARKERS.match(sentence)
            if lead and k > 0 and drafts:  # `Iraq said so. [S1:3] Next one.` -> the marker ends sentence 1
                drafts[-1][1].extend(extract_citations(lead.group(0), count)[1])
                sentence = sentence[lead.end() :]
            bare, ids = extract_citations(sentence, count)
            if not any(ch.isalnum() for ch in bare):
                if drafts:
                    drafts[-1][1].extend(ids)
                else:
                    pending.extend(ids)
                continue
            drafts.append((bare, pending + ids))
            pending = []
    return drafts


# -- resolution ---------------------------------------------------------------------------------------


def _resolve(
    drafts: list[_Draft], corpus: Corpus, problems: list[str]
) -> tuple[list[SummarySentence], tuple[str, ...]]:
    """Placeholders `S2:?` -> the most similar passage of S2; ids deduped in order; unknown ids kept
    but reported."""
    drafts = [(text, ids) for text, ids in drafts if text.strip()]
    closest = _closest(drafts, corpus)
    sources = {s.id: s for s in corpus.sources}
    invalid: dict[str, None] = {}
    out: list[SummarySentence] = []
    for i, (text, ids) in enumerate(drafts):
        cited: dict[str, None] = {}
        for pid in ids:
            source = _source_of(pid)
            if (i, source) in closest:
                best, score = closest[(i, source)]
                note = "" if score > 0 else " (no passage matched; used the first)"
                problems.append(f"{source} cited without a passage; resolved to {best}{note}")
                pid = best
            elif source is not None:
                problems.append(f"{source} {'has no passages' if source in sources else 'does not exist'}")
            elif not corpus.has_passage(pid):
                problems.append(f"{pid} does not exist")
            if pid not in cited and not corpus.has_passage(pid):
                invalid.setdefault(pid, None)
            cited.setdefault(pid, None)
        out.append(SummarySentence(text=text, citations=tuple(cited)))
    return out, tuple(invalid)


def _closest(drafts: list[_Draft], corpus: Corpus) -> dict[tuple[int, str | None], tuple[str, float]]:
    """(draft index, source) -> (the source's passage most similar to the draft, cosine) for every
    source a draft cites without a passage (TF-IDF over content terms)."""
    columns: dict[str, list[int]] = {}
    passages = list(corpus.passages())
    for j, p in enumerate(passages):
        columns.setdefault(p.source_id, []).append(j)
    wanted = [(i, src) for i, (_, ids) in enumerate(drafts) for src in map(_source_of, ids) if src in columns]
    if not wanted:
        return {}
    rows = {i: k for k, i in enumerate(dict.fromkeys(i for i, _ in wanted))}
    terms = [content_terms(p.text) for p in passages] + [content_terms(drafts[i][0]) for i in rows]
    matrix = tfidf_matrix(terms)
    sims = (matrix[len(passages) :] @ matrix[: len(passages)].T).toarray()
    out: dict[tuple[int, str | None], tuple[str, float]] = {}
    for i, src in wanted:
        cols = columns[str(src)]
        scores = sims[rows[i], cols]
        out[(i, src)] = (passages[cols[int(scores.argmax())]].id, float(scores.max()))
    return out


def _source_of(pid: str) -> str | None:
    m = PLACEHOLDER.match(pid)
    return f"S{m.group(1)}" if m else None
