"""Text from sources and models made safe for where it lands: Markdown, HTML, a terminal, a log.

    md_escape("<img src=x onerror=alert(1)> $x$ ~~y~~")  -> text that renders as itself, nothing live
    md_link("https://a.example/p q")                      -> "<https://a.example/p%20q>"
    md_link("javascript:alert(1)")                        -> escaped text, never a link
    html_escape("<b>")                                    -> "&lt;b&gt;"
    terminal_safe("\\x1b[2Jhi")                           -> "hi"   (control characters removed)
    scrub("Bearer sk-abc ...", key)                       -> "Bearer *** ..."

One Markdown escaping function and one HTML escaping helper for every renderer (`Briefing.to_markdown`,
the Markdown export, the HTML views, the CLI): every field that comes from a source or a model (title,
outlet, author, URL, path, date, notes, model name, sentence text, reasons, conflict values) goes
through them. Only `http`/`https` URLs become links, percent-encoded. The Markdown escaping also covers
what Jupyter adds to CommonMark: `$` (MathJax) and `~` (strikethrough); `&`, `<`, `>`, `\\` and `$`
become numeric character references, so no backslash sequence of the source can pair with ours and no
raw HTML or entity survives. `md_unescape` reverses `md_escape` exactly (used by `parse_summary`).
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

__all__ = [
    "fold_lookalikes",
    "heading_text",
    "html_escape",
    "md_escape",
    "md_link",
    "md_unescape",
    "safe_href",
    "scrub",
    "terminal_safe",
    "terminal_safe_json",
]

# Characters with a meaning in CommonMark/GFM or in Jupyter's Markdown (math, strikethrough).
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "&#92;", "$": "&#36;"}
_BACKSLASH = "`*_{}[]#|^~"
_MD_TABLE = str.maketrans({**{c: "\\" + c for c in _BACKSLASH}, **_ENTITY})
_MD_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# C0/C1 controls (ESC, BEL, CR...), DEL, and format characters that reorder or hide text (bidi
# overrides, zero-width joiners, BOM): they can clear a terminal, overprint a line or disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def terminal_safe(text: str) -> str:
    """`text` without control and invisible format characters (newlines and tabs kept): what the CLI
    prints, so an article cannot clear the terminal, move the cursor or overprint a sentence."""
    return _CONTROL.sub("", text)


def terminal_safe_json(text: str) -> str:
    """JSON text (from `json.dumps`) with the characters `terminal_safe` removes written as `\\uXXXX`
    escapes instead: safe to print, and it still parses to the same value (such characters can only
    stand inside JSON strings, where the escape means the same character)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _flat(text: str) -> str:
    return " ".join(_CONTROL_ALL.sub(" ", text).split())


def md_escape(text: object) -> str:
    """`text` on one line, rendering as itself in CommonMark, GitHub and Jupyter Markdown: no markup,
    no raw HTML, no entity, no link, no math. Control characters removed, whitespace collapsed."""
    return _flat(str(text)).translate(_MD_TABLE)


def md_unescape(text: str) -> str:
    """The inverse of `md_escape` (backslash escapes and character references removed)."""
    return html.unescape(_MD_UNESCAPE.sub(r"\1", text))


def safe_href(url: str) -> str | None:
    """`url` percent-encoded if it is an absolute http/https URL with a host, else None. The result
    holds only unreserved characters, `/:?#=&@+,;%` and percent escapes: nothing a Markdown or
    HTML parser (or Jupyter's math pre-pass) treats as markup."""
    url = _CONTROL_ALL.sub("", url.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#=&@+,;%-._").replace("~", "%7E")


def md_link(url: str) -> str:
    """An http/https URL as a Markdown autolink (percent-encoded); anything else as escaped text."""
    href = safe_href(url)
    return f"<{href}>" if href is not None else md_escape(url)


def html_escape(text: object) -> str:
    """Text (or a number) safe for HTML element content and quoted attribute values."""
    return html.escape(str(text), quote=True)


_SECRET_SHAPES = re.compile(
    r"(?i)(bearer\s+|api[-_]?key[\"']?\s*[:=]\s*[\"']?|authorization[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"
    r"|\bsk-[A-Za-z0-9_\-]{6,}"
)


def scrub(text: str, keys: Iterable[str] = ()) -> str:
    """`text` with every given key and the configured OPENAI_API_KEY / AZURE_OPENAI_API_KEY replaced
    by `***` (also each whitespace-separated piece of a key that contains whitespace, and the key as
    a proxy may re-encode it), and anything shaped like a bearer token or `sk-...` key masked."""
    candidates = [*keys, os.environ.get("OPENAI_API_KEY", ""), os.environ.get("AZURE_OPENAI_API_KEY", "")]
    secrets: set[str] = set()
    for key in candidates:
        if not key:
            continue
        for piece in (key, key.strip(), *key.split()):
            if len(piece) >= 4:
                secrets |= {piece, quote(piece, safe=""), html.escape(piece)}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return _SECRET_SHAPES.sub(lambda m: (m.group(1) or "") + "***", text)


def heading_text(line: str, indent: int = 3) -> str | None:
    """The text of an ATX Markdown heading line (`## Title ##` -> "Title"), else None. Plain string
    operations, linear in the line: the regex it replaces took a minute on `# a` + spaces + `b`."""
    body = line.lstrip(" ")
    if len(line) - len(body) > indent:
        return None
    hashes = len(body) - len(body.lstrip("#"))
    rest = body[hashes:]
    if not 1 <= hashes <= 6 or (rest and not rest[0].isspace()):
        return None
    text = rest.strip()
    bare = text.rstrip("#")
    if not bare:
        return ""
    return bare.rstrip() if bare != text and bare[-1].isspace() else text


# Characters NFKC leaves alone that read as the letters, colon and brackets of a passage marker
# (Unicode confusables, TR39): Cyrillic/Greek/Cherokee S, ratio and modifier colons, CJK brackets.
_LOOKALIKES = str.maketrans(
    {
        "\u0405": "S", "\u0455": "s", "\u13da": "S", "\ua4e2": "S", "\u01a7": "S", "\u10bd": "S",
        "\u2236": ":", "\ua789": ":", "\u02d0": ":", "\u02f8": ":", "\u05c3": ":", "\u0703": ":",
        "\u0704": ":", "\u16ec": ":", "\ufe30": ":", "\u205a": ":", "\u2360": ":",
        "\u3014": "[", "\u3015": "]", "\u3010": "[", "\u3011": "]", "\u3016": "[", "\u3017": "]",
        "\u3018": "[", "\u3019": "]", "\u301a": "[", "\u301b": "]", "\u27e6": "[", "\u27e7": "]",
        "\u2045": "[", "\u2046": "]", "\u298b": "[", "\u298c": "]",
    }
)  # fmt: skip
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe00-\ufe0f]"
)


def fold_lookalikes(text: str) -> str:
    """`text` NFKC-normalised, with zero-width and other invisible format characters removed and
    look-alikes of `S`, `:` and brackets folded to ASCII: what a passage-marker check must see."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_LOOKALIKES)
