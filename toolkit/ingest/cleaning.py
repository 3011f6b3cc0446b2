"""Article cleaning: split loaded text into story paragraphs and recorded boilerplate drops.

`clean(text)` returns a `Cleaned` value: character spans of the kept story paragraphs, the
spans it dropped (each with a short reason such as "link-farm" or "duplicate"), and metadata
found on the way (title, outlet, date, url). Nothing is lost silently: every non-whitespace
character of `text` lies in exactly one kept span or one dropped span.

Rules are deliberately conservative. A real story sentence (terminal punctuation, more than
about eight words) is only dropped when it contains an explicit boilerplate phrase
("Leave a Reply", "All rights reserved", ...) or repeats an earlier paragraph exactly.
Pure functions, no I/O; all regexes are compiled once at import.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass
from itertools import pairwise

from pydantic import BaseModel, ConfigDict

from ..models import Dropped

__all__ = ["BOILERPLATE_MARKERS", "DROP_REASONS", "Cleaned", "clean", "kept_texts"]

# Literal strings that never survive in a kept paragraph (checked case-sensitively).
BOILERPLATE_MARKERS: tuple[str, ...] = (
    "Leave a Reply",
    "View all posts",
    "ADVERTISEMENT",
    "Related Post",
    "(Tagstotranslate)",
    "All rights reserved",
    "Your email address will not be published",
)

DROP_REASONS: tuple[str, ...] = (
    "title", "site-name", "dateline", "byline", "heading", "author-bio", "comment-form",
    "advertisement", "share-buttons", "newsletter", "link-farm", "related-links", "tags",
    "copyright", "syndication-note", "source-credit", "wire-slug", "duplicate",
)  # fmt: skip


class Cleaned(BaseModel):
    """Result of `clean`: kept paragraph spans, dropped spans, and metadata found in the text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    paragraphs: tuple[tuple[int, int], ...] = ()
    dropped: tuple[Dropped, ...] = ()
    title: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""


def kept_texts(text: str, cleaned: Cleaned) -> list[str]:
    """The kept paragraphs of `text` as strings."""
    return [text[s:e] for s, e in cleaned.paragraphs]


# --------------------------------------------------------------------------- patterns

_I = re.IGNORECASE
_TERMINAL_CHARS = frozenset(".!?…:;。！？؟।")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_BULLET = re.compile(r"(?:[-*•·–—]\s|\d{1,2}[.)]\s)")
_HYPHEN_END = re.compile(r"\w-\Z")

# Markers that may appear inside a longer line: the line is split there. "rest" drops from the
# marker to the end of the line; "token" drops only the marker itself.
_INLINE = re.compile(
    r"(?P<comment_form>Leave a Reply|Your email address will not be published)"
    r"|(?P<author_bio>View all posts)"
    r"|(?P<tags>\(Tagstotranslate\))"
    r"|(?P<related_links>Related Post)"
    r"|(?P<copyright>All rights reserved)"
    r"|(?P<advertisement>\bADVERTISEMENT\b)"
)
_TOKEN_ONLY = frozenset({"advertisement"})
_INLINE_LITERALS = BOILERPLATE_MARKERS
_COPYRIGHT_LEAD = re.compile(r"©|\(c\)|Copyright\b", _I)

_SHORT = re.compile(
    r"(?P<wire_slug>(?-i:[a-z]{2,8}(?:-[a-z]{2,8})*(?:/[a-z]{2,8}(?:-[a-z]{2,8})*)+)|[Xx×✕✖])"
    r"|(?P<comment_form>(?:leave a (?:reply|comment)|post (?:a |your )?comment|cancel reply"
    r"|comments?(?: \(\d+\))?|\d+ comments?|no comments(?: yet)?|add (?:a|your) comment"
    r"|join the (?:conversation|discussion)|show comments|view comments)\W*)"
    r"|(?P<advertisement>(?:advertisements?|advert|ads?|sponsored(?: content| links?| posts?| stories)?"
    r"|promoted(?: content| stories)?|paid (?:content|post|partnership)"
    r"|story continues below(?: this)? advertisement"
    r"|(?:advertisement\s*[-–—:]?\s*)?scroll to continue(?: with content| reading)?)\W*)"
    r"|(?P<related_links>(?:related(?: posts?| articles?| stories| news| content| coverage| reading| links)?"
    r"|read more|read also|also read|see also|more (?:stories|news|articles)"
    r"|you (?:may|might) also like|recommended(?: for you| stories| articles)?|most read"
    r"|trending(?: now| stories)?)\W*)"
    r"|(?P<share_buttons>(?:share(?: this(?: article| story| post)?)?|share on \w+|tweet|like this"
    r"|print(?: this)?(?: article)?|e-?mail(?: this)?(?: article)?|copy link"
    r"|click to (?:share|print|email).{0,60}"
    r"|(?:facebook|twitter|x|whatsapp|linkedin|telegram|pinterest|reddit|messenger)"
    r"(?:\s*[|,•·/]?\s*(?:facebook|twitter|x|whatsapp|linkedin|telegram|email|print|pinterest|reddit|messenger))*"
    r"|loading(?:\.{3}|…)?)\W*)"
    r"|(?P<newsletter>subscribe(?: now| today)?\W*)"
    r"|(?P<heading>[-–—]{1,2}\s+\S(?:.{0,80}\S)?\s+[-–—]{1,2})",
    _I,
)
_RELATED_LEAD = re.compile(r"(?:related|read more|read also|also read|see also)\s*[:|\-–—»>]\s*\S", _I)
_COMMENT_ANY = re.compile(
    r"your email address will not be published|required fields are marked|save my name, email,? and website"
    r"|notify me of (?:new|follow-up) (?:comments|posts)|you must be logged in to post a comment",
    _I,
)
_TAGS_LEAD = re.compile(r"(?:tags|tagged(?: with)?|topics|filed under)\s*:", _I)
_COPYRIGHT_SIGN = re.compile(r"©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4})", _I)
_LONG_LEAD = re.compile(
    r"(?P<bio>view all posts by)|(?P<tags>\(tags?\s?to\s?translate\))"
    r"|(?P<copy>©|\(c\)\s|copyright\b\s*(?:©|\(c\)|\d{4}|(?-i:[A-Z])))",
    _I,
)
_SYNDICATION = re.compile(
    r"has not been edited by .{0,60}?staff|published from a (?:syndicated|wire agency) feed"
    r"|auto-generated from a syndicated feed"
    r"|\(?this (?:article|story|post) (?:was |has been )?(?:originally|first) (?:appeared|published)",
    _I,
)
_COMMENT_KEYS = ("email address", "required fields", "save my name", "notify me", "logged in")
_SYNDICATION_KEYS = (
    "edited by",
    "syndicated",
    "wire agency",
    "originally",
    "first appeared",
    "first published",
)
_SYNDICATION_OUTLET = re.compile(r"edited by (?P<o>[A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3}) staff")
_SOURCE = re.compile(r"(?:original\s+)?source\s*:\s*(?P<src>\S.*)", _I)
_URL_ONLY = re.compile(r"(?:https?://|www\.)\S+", _I)
_DOMAIN = re.compile(
    r"(?:https?://)?(?:www\.)?(?P<d>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|news|co|io|tv|me|uk|in|au|ca|de|fr|eu))\b",
    _I,
)
_SITE_NAME = re.compile(_DOMAIN.pattern + r"(?:\s*[-|–—:•]\s*\S.*)?", _I)
_NEWSLETTER = re.compile(r"(?:sign up|subscribe)\b.{0,80}\bnewsletter", _I)
_BYLINE = re.compile(r"(?:By|BY)\s+(?P<rest>[A-Z]\S*(?:\s+\S+){0,6})")
_BYLINE_GLUE = frozenset(
    ["and", "in", "for", "&", "|", "-", "–", "—", "de", "del", "da", "al", "el", "bin", "ibn", "van", "von"]
)
_ABOUT = re.compile(r"About\s+(?P<name>the [Aa]uthor|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<y3>(?:19|20)\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)\b",
    _I,
)
_DATE_NOISE = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thur?s?|fri|sat|sun)\b\.?"
    r"|\b\d{1,2}:\d\d(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)?"
    r"|\b(?:gmt|utc|ist|est|edt|et|cet|cest|bst|ast)\b(?:\s*[+-]\s*\d{1,2})?"
    r"|\b(?:published|updated|posted|last updated|date|on|at)\b:?"
    r"|\([^()\n]{1,30}\)"
    r"|[,|•·:;/\-–—.]",
    _I,
)
_PLACE_DATELINE = re.compile(
    r"[A-Z][\w'’.-]*(?:[ ,]+[A-Z][\w'’.-]*){0,3}(?:\s*\([A-Z][\w .&-]{1,30}\))?\s*(?::|[-–—])"
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


# --------------------------------------------------------------------------- units


@dataclass(slots=True)
class _Unit:
    """A candidate paragraph: one line, a piece of a line, or hard-wrapped lines joined."""

    start: int
    end: int
    block: int
    reason: str | None
    text: str = ""
    words: int = 0
    terminated: bool = False
    piece: bool = False  # part of a line split at an inline marker


def _terminated(t: str, chars: frozenset[str] | str = _TERMINAL_CHARS) -> bool:
    """Whether `t` ends with terminal punctuation (closing quotes/brackets allowed after it)."""
    stripped = t.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in chars


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, int, int]]:
    """Trimmed non-blank lines as (start, end, block); blank lines separate blocks."""
    out: list[tuple[int, int, int]] = []
    pos, block, blank = 0, 0, True
    for raw in text.split("\n"):
        s, e = _trim(text, pos, pos + len(raw))
        pos += len(raw) + 1
        if s == e:
            if not blank:
                block += 1
            blank = True
            continue
        out.append((s, e, block))
        blank = False
    return out


def _split_markers(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Split one line at inline boilerplate markers; marker pieces carry their reason."""
    pieces: list[tuple[int, int, str | None]] = []
    pos = start
    while pos < end:
        m = _INLINE.search(text, pos, end)
        if m is None:
            break
        reason = (m.lastgroup or "").replace("_", "-")
        # A split at "All rights reserved" moves back to a "©"/"Copyright" shortly before it.
        lead = (
            _COPYRIGHT_LEAD.search(text, max(pos, m.start() - 100), m.start())
            if reason == "copyright"
            else None
        )
        cut = lead.start() if lead else m.start()
        stop = m.end() if reason in _TOKEN_ONLY else end
        s, e = _trim(text, pos, cut)
        if e > s:
            pieces.append((s, e, None))
        s, e = _trim(text, cut, stop)
        pieces.append((s, e, reason))
        pos = stop
    s, e = _trim(text, pos, end)
    if e > s:
        pieces.append((s, e, None))
    return pieces


def _literal_hits(text: str) -> tuple[int, ...]:
    """Sorted start offsets of every inline-marker literal in `text` (str.find is fast)."""
    hits: list[int] = []
    for marker in _INLINE_LITERALS:
        pos = text.find(marker)
        while pos >= 0:
            hits.append(pos)
            pos = text.find(marker, pos + 1)
    return tuple(sorted(hits))


@dataclass(slots=True, frozen=True)
class _Keys:
    """Which keyword families occur anywhere in the text (so most lines skip most regexes)."""

    inline: tuple[int, ...]
    comment: bool
    syndication: bool
    rights: bool

    @staticmethod
    def of(text: str) -> _Keys:
        low = text.lower()
        return _Keys(
            inline=_literal_hits(text),
            comment=any(k in low for k in _COMMENT_KEYS),
            syndication=any(k in low for k in _SYNDICATION_KEYS),
            rights="rights reserved" in low,
        )


def _classify_line(t: str, words: int, keys: _Keys) -> str | None:
    """Position-independent boilerplate reason for one trimmed line, or None."""
    if len(t) <= 120:
        m = _SHORT.fullmatch(t)
        if m is not None:
            return (m.lastgroup or "").replace("_", "-")
    if keys.comment and words <= 40 and _COMMENT_ANY.search(t):
        return "comment-form"
    lead = _LONG_LEAD.match(t)
    if lead is not None and lead.lastgroup == "bio":
        return "author-bio"
    if lead is not None and lead.lastgroup == "tags":
        return "tags"
    if _is_copyright(t, words, lead is not None and lead.lastgroup == "copy", keys):
        return "copyright"
    if keys.syndication and words <= 60 and _SYNDICATION.search(t):
        return "syndication-note"
    return _classify_short(t, words) if words <= 25 else None


def _classify_short(t: str, words: int) -> str | None:
    if words > 8 and _terminated(t):  # a real sentence: only explicit phrases may drop it
        return None
    if _TAGS_LEAD.match(t) and words <= 30 and not _terminated(t):
        return "tags"
    if words <= 12 and (_SOURCE.fullmatch(t) or _URL_ONLY.fullmatch(t)):
        return "source-credit"
    if _RELATED_LEAD.match(t) and not _terminated(t):
        return "related-links"
    if _NEWSLETTER.match(t):
        return "newsletter"
    if words <= 8 and _is_byline(t):
        return "byline"
    if words <= 15 and len(t) <= 120 and _dateline_date(t) is not None:
        return "dateline"
    return None


def _is_copyright(t: str, words: int, starts: bool, keys: _Keys) -> bool:
    if keys.rights and "rights reserved" in t.lower():
        return words <= 100
    if not starts or words > 60:
        return False
    # "Copyright Office officials said ..." is a story sentence; "© 2025 Reuters." is not.
    return bool(_COPYRIGHT_SIGN.match(t)) or not (_terminated(t) and words > 8)


def _is_byline(t: str) -> bool:
    m = _BYLINE.fullmatch(t)
    if m is None or _terminated(t):
        return False
    return all(w[0].isupper() or w.lower().strip(",") in _BYLINE_GLUE for w in m.group("rest").split())


def _iso(m: re.Match[str]) -> str | None:
    if m.group("y3"):
        y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    else:
        y = int(m.group("y1") or m.group("y2"))
        mo = _MONTHS[(m.group("m1") or m.group("m2"))[:3].lower()]
        d = int(m.group("d1") or m.group("d2"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _dateline_date(t: str) -> str | None:
    """ISO date if `t` is a dateline / date-only line ("Baghdad, March 14 (AFP) Mar 14, 2025")."""
    m = _DATE.search(t)
    if m is None:
        return None
    iso = _iso(m)
    rest = _DATE_NOISE.sub(" ", _DATE.sub(" ", t)).split()
    if iso is None or len(rest) > 4:
        return None
    if any(not w[0].isupper() or any(c.isdigit() for c in w) for w in rest):
        return None
    return iso


def _starts_lower(t: str) -> bool:
    head = t.lstrip(_OPENERS)
    return bool(head) and head[0].islower()


def _wrap_width(text: str, lines: list[tuple[int, int, int]]) -> int:
    """The line width of a hard-wrapped text (0 when the text is not hard-wrapped).

    Hard-wrapped: most lines followed by another line of the same block fill the width and
    break mid-sentence (no terminal punctuation).
    """
    if len(lines) < 4:
        return 0
    width = max(e - s for s, e, _ in lines)
    if width > 100:
        return 0
    inner = [(s, e) for (s, e, b), nxt in pairwise(lines) if b == nxt[2]]
    wrapped = sum(1 for s, e in inner if e - s >= width - 25 and not _terminated(text[s:e]))
    return width if len(inner) >= 3 and wrapped >= 0.6 * len(inner) else 0


def _joins(text: str, prev: _Unit, nxt: tuple[int, int], width: int) -> bool:
    """Whether the line `nxt` continues the paragraph `prev` (hard-wrapped text)."""
    if prev.reason is not None or prev.terminated or _BULLET.match(text, nxt[0]):
        return False
    last_line = text[text.rfind("\n", prev.start, prev.end) + 1 : prev.end]
    if width and len(last_line) >= width - 25:
        return True
    nxt_text = text[nxt[0] : nxt[1]]
    return _starts_lower(nxt_text) or prev.text.endswith(",") or bool(_HYPHEN_END.search(prev.text))


def _units(text: str) -> list[_Unit]:
    lines = _lines(text)
    width = _wrap_width(text, lines)
    keys = _Keys.of(text)
    units: list[_Unit] = []
    prev_line_block = -1
    for ls, le, block in lines:
        hit = bisect_left(keys.inline, ls)
        has_marker = hit < len(keys.inline) and keys.inline[hit] < le
        pieces = _split_markers(text, ls, le) if has_marker else [(ls, le, None)]
        for i, (s, e, reason) in enumerate(pieces):
            piece = text[s:e]
            words = len(piece.split())
            if reason is None:
                reason = _classify_line(piece, words, keys)
            last = units[-1] if units else None
            if (
                reason is None
                and i == 0
                and last is not None
                and last.block == block == prev_line_block
                and _joins(text, last, (s, e), width)
            ):
                last.end = e
                last.text = text[last.start : e]
                last.words += words
                last.terminated = _terminated(piece)
                continue
            units.append(_Unit(s, e, block, reason, piece, words, _terminated(piece), len(pieces) > 1))
        prev_line_block = block
    return units


# --------------------------------------------------------------------------- positional rules


def _is_story(u: _Unit) -> bool:
    return u.reason is None and (u.words > 25 or (u.terminated and (u.words >= 8 or len(u.text) >= 60)))


def _short_unterminated(u: _Unit, max_words: int) -> bool:
    plain = u.reason is None and not u.piece and not u.terminated and 1 <= u.words <= max_words
    return plain and not _BULLET.match(u.text) and not _starts_lower(u.text)


def _title_text(t: str) -> str:
    t = " ".join(t.lstrip("#").split())
    head, sep, tail = t.rpartition(" | ")
    return head if sep and head and len(tail.split()) <= 4 else t


@dataclass(slots=True)
class _Meta:
    title: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""


def _lead(units: list[_Unit], first_story: int, meta: _Meta) -> None:
    """Site name, title and stray headings before the first story paragraph."""
    for u in units[:first_story]:
        if u.reason is not None:
            continue
        site = _SITE_NAME.fullmatch(u.text) if u.words <= 10 and not u.terminated else None
        if site is not None:
            u.reason = "site-name"
            meta.outlet = meta.outlet or site.group("d")
        elif not meta.title and _short_unterminated_or_question(u):
            u.reason = "title"
            meta.title = _title_text(u.text)
        elif meta.title and _short_unterminated(u, 12):
            u.reason = "heading"


def _short_unterminated_or_question(u: _Unit) -> bool:
    if _terminated(u.text, "?!"):
        return u.words <= 25 and not _BULLET.match(u.text)
    return _short_unterminated(u, 25)


def _place_datelines(units: list[_Unit], first_story: int) -> None:
    for u in units[: first_story + 3]:
        if u.reason is None and u.words <= 5 and _PLACE_DATELINE.fullmatch(u.text):
            u.reason = "dateline"


def _author_bios(units: list[_Unit]) -> None:
    for i, u in enumerate(units):
        m = _ABOUT.fullmatch(u.text) if u.reason is None else None
        if m is None or i + 1 >= len(units):
            continue
        nxt, name = units[i + 1], m.group("name")
        is_generic = name.lower() == "the author"
        if nxt.reason is None and (nxt.text.startswith(name) or (is_generic and nxt.words <= 150)):
            u.reason = nxt.reason = "author-bio"


def _link_candidate(u: _Unit) -> bool:
    plain = u.reason in (None, "heading") and not u.piece and not u.terminated
    return plain and 2 <= u.words <= 25 and len(u.text) <= 200 and not _BULLET.match(u.text)


def _link_farms(units: list[_Unit], first_story: int) -> None:
    """Runs of 3+ short unterminated lines after the story starts (headline lists)."""
    last_story = max((i for i, u in enumerate(units) if _is_story(u)), default=-1)
    i = first_story + 1
    while i < len(units):
        j = i
        while j < len(units) and _link_candidate(units[j]):
            j += 1
        if j == i:
            i += 1
            continue
        run = units[i:j]
        ends_block = j == len(units) or units[j].block != units[j - 1].block
        after_noise = units[i - 1].reason in ("related-links", "advertisement")
        avg_words = sum(u.words for u in run) / len(run)
        if len(run) >= 3 and ends_block and avg_words >= 3 and (i > last_story or after_noise):
            for u in run:
                u.reason = "link-farm"
        i = j


def _related_items(units: list[_Unit]) -> None:
    """Headlines listed right after a "Related posts" / "Read more" header."""
    for i, u in enumerate(units):
        header = _SHORT.fullmatch(u.text) if u.reason == "related-links" else None
        if header is None or header.lastgroup != "related_links":
            continue
        j = i + 1
        while j < len(units) and _link_candidate(units[j]):
            units[j].reason = "related-links"
            j += 1


def _headings(units: list[_Unit], first_story: int) -> None:
    per_block: dict[int, int] = {}
    for u in units:
        per_block[u.block] = per_block.get(u.block, 0) + 1
    for i in range(first_story + 1, len(units)):
        u = units[i]
        if not _short_unterminated(u, 12) or len(u.text) > 100:
            continue
        prev = units[i - 1] if units[i - 1].block == u.block else None
        nxt = units[i + 1] if i + 1 < len(units) and units[i + 1].block == u.block else None
        alone = per_block[u.block] == 1
        leads = nxt is not None and _is_story(nxt) and (prev is None or prev.terminated)
        if alone or leads:
            u.reason = "heading"


def _duplicates(units: list[_Unit]) -> None:
    seen: set[str] = set()
    for u in units:
        if u.reason is not None or u.words < 4:
            continue
        key = " ".join(u.text.split()).casefold()
        if key in seen:
            u.reason = "duplicate"
        seen.add(key)


def _metadata(units: list[_Unit], meta: _Meta) -> None:
    for u in units:
        if u.reason == "dateline" and not meta.date:
            meta.date = _dateline_date(u.text) or ""
        elif u.reason == "source-credit":
            _source_credit(u.text, meta)
        elif u.reason == "syndication-note" and not meta.outlet:
            m = _SYNDICATION_OUTLET.search(u.text)
            meta.outlet = m.group("o") if m else ""


def _source_credit(t: str, meta: _Meta) -> None:
    m = _SOURCE.fullmatch(t)
    src = m.group("src").strip() if m else t
    dom = _DOMAIN.search(src)
    if dom is not None:
        meta.url = meta.url or src.split()[0]
        meta.outlet = meta.outlet or dom.group("d")
    else:
        meta.outlet = meta.outlet or src.rstrip(".")


# --------------------------------------------------------------------------- entry point


def clean(text: str) -> Cleaned:
    """Split `text` into kept story paragraph spans and dropped boilerplate spans with reasons."""
    units = _units(text)
    meta = _Meta()
    first_story = next((i for i, u in enumerate(units) if _is_story(u)), None)
    if first_story is not None:
        _author_bios(units)
        _place_datelines(units, first_story)
        _lead(units, first_story, meta)
        _related_items(units)
        _link_farms(units, first_story)
        _headings(units, first_story)
    _duplicates(units)
    _metadata(units, meta)
    paragraphs = tuple((u.start, u.end) for u in units if u.reason is None)
    dropped = tuple(
        Dropped(text=u.text, start=u.start, end=u.end, reason=u.reason) for u in units if u.reason is not None
    )
    return Cleaned(paragraphs=paragraphs, dropped=dropped, **asdict(meta))
