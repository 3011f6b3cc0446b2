"""Loading articles from files, folders, dicts and `Article` values into a list of `Article`.

    load_articles(inputs, *, skip_bad=False, max_bytes=20_000_000) -> Articles

Strings are always paths, never article text: pass text as a dict, e.g.
`load_articles([{"text": "...", "title": "..."}])`. Supported files: .txt, .md, .html/.htm
(extracted with trafilatura), .json (an object or a list of objects with a text/content/body
field) and .jsonl (one such object per line). Folders are read in name order, recursively,
skipping hidden entries and unknown extensions (recorded in `Articles.notes`).

Every problem is a one-line `SourceError` that names the file and says how to fix it. Without
`skip_bad` the first one is raised; with `skip_bad=True` it goes to `Articles.skipped` and
everything else is still loaded.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from ..errors import SourceError
from ..models import Article

__all__ = ["SUPPORTED_EXTENSIONS", "Articles", "InputItem", "load_articles"]

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
InputItem: TypeAlias = str | os.PathLike[str] | Mapping[str, Any] | Article

_TEXT_KEYS = ("text", "content", "body")
_META_KEYS = {
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "sitename", "site_name", "publisher"),
    "date": ("date", "published", "published_at", "publish_date", "publishedAt"),
    "url": ("url", "link"),
}
_SNIFF_BYTES = 8192
_EXTENSIONS_HINT = "use .txt, .md, .html, .json or .jsonl"


class Articles(list[Article]):
    """The loaded articles, in input order, plus what was skipped and why."""

    def __init__(
        self,
        items: Iterable[Article] = (),
        skipped: Iterable[SourceError] = (),
        notes: Iterable[str] = (),
    ) -> None:
        super().__init__(items)
        self.skipped: list[SourceError] = list(skipped)
        self.notes: list[str] = list(notes)


@dataclass
class _Run:
    """Loading state: results, the skip policy and symlink-loop protection."""

    skip_bad: bool
    max_bytes: int
    out: Articles = field(default_factory=Articles)
    seen_dirs: set[str] = field(default_factory=set)
    seen_files: set[str] = field(default_factory=set)  # absolute paths read: a path named twice is read once

    def fail(self, error: SourceError) -> None:
        if not self.skip_bad:
            raise error
        self.out.skipped.append(error)


# --------------------------------------------------------------------------- entry point


def load_articles(
    inputs: InputItem | Iterable[InputItem],
    *,
    skip_bad: bool = False,
    max_bytes: int = 20_000_000,
) -> Articles:
    """Load articles from paths (files or folders), dicts with a "text" field, or `Article`s.

    Strings are paths. To pass article text, use a dict: `{"text": ..., "title": ...}`.
    Raises `SourceError` for the first bad input unless `skip_bad=True`, in which case bad
    inputs are collected in `.skipped` and the rest is loaded.
    """
    run = _Run(skip_bad=skip_bad, max_bytes=max_bytes)
    for index, item in enumerate(_items(inputs), start=1):
        try:
            _load_item(item, index, run)
        except SourceError as e:
            run.fail(e)
    return run.out


def _items(inputs: InputItem | Iterable[InputItem]) -> Iterator[InputItem]:
    if isinstance(inputs, str | os.PathLike | Mapping | Article):
        yield inputs
    else:
        yield from inputs


def _load_item(item: object, index: int, run: _Run) -> None:
    if isinstance(item, Article):
        run.out.append(item)
    elif isinstance(item, Mapping):
        run.out.append(_from_mapping(item, _shown(str(item.get("path") or f"<input {index}>")), "text", ()))
    elif isinstance(item, str | os.PathLike):
        _load_path(_as_path(item), _shown(os.fspath(item)), run)
    else:
        raise SourceError(
            f"<input {index}>",
            f"cannot load a {type(item).__name__}",
            "pass a path, a dict with a 'text' field, or an Article",
        )


def _as_path(item: str | os.PathLike[str]) -> Path:
    raw = os.fspath(item)
    if "\n" in raw or len(raw) > 4096:
        raise SourceError(
            _shorten(raw), "looks like article text, not a path", "pass text as a dict: {'text': ...}"
        )
    return Path(raw).expanduser()


def _shown(path: str) -> str:
    """A path as one line of valid text (like `ls -b`): bytes that are not UTF-8 and control characters
    (a newline in a file name) are escaped, so errors stay one line and outputs can be written. Used
    for `Article.path` and messages only; files are opened through their `Path`."""
    if path.isprintable():
        return path
    try:
        path = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        path = _SURROGATE.sub("\ufffd", path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """JSON can carry lone UTF-16 surrogates (an emoji cut in half); they cannot be written as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def _shorten(text: str, limit: int = 60) -> str:
    """`text` itself if short and on one line, else a one-line prefix (error messages are one line)."""
    if len(text) <= limit and "\n" not in text:
        return text
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --------------------------------------------------------------------------- paths and folders


def _load_path(path: Path, given: str, run: _Run) -> None:
    try:
        st = path.stat()
    except FileNotFoundError as e:
        fix = "check the path and its spelling"
        if len(given.split()) > 5:
            fix += "; strings are paths, pass article text as a dict: {'text': ...}"
        raise SourceError(_shorten(given, 200), "no such file or folder", fix) from e
    except OSError as e:
        raise SourceError(given, f"cannot access the path ({e.strerror or e})", "check the path") from e
    if path.is_dir():
        _load_folder(path, given, run)
        return
    where = os.path.abspath(path)  # not realpath: a link in a folder is its own input (a copy, noted as one)
    if where in run.seen_files:  # `a.txt folder/` with a.txt in folder/, or one path given twice
        run.out.notes.append(f"{given}: skipped, the same file was already read")
        return
    run.seen_files.add(where)
    run.out.extend(_load_file(path, given, st.st_size, run))


def _load_folder(folder: Path, given: str, run: _Run) -> None:
    real = os.path.realpath(folder)
    if real in run.seen_dirs:
        run.out.notes.append(f"{given}: skipped, already visited (symlink loop?)")
        return
    run.seen_dirs.add(real)
    if _walk(folder, given, run, real) == 0:
        raise SourceError(given, "no usable files in the folder", f"add article files ({_EXTENSIONS_HINT})")


def _walk(folder: Path, given: str, run: _Run, root: str) -> int:
    """Load a folder's supported files and sub-folders in name order; returns files attempted.
    A symbolic link whose target is outside `root` (the real path of the folder the user named) is
    not read: it is listed as skipped with the reason (a folder of downloads must not read ~/.ssh)."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise SourceError(
            given, f"cannot list the folder ({e.strerror or e})", "check its permissions"
        ) from e
    found = 0
    for entry in entries:
        child = os.path.join(given, _shown(entry.name))
        if entry.name.startswith("."):
            run.out.notes.append(f"{child}: skipped hidden entry")
        elif entry.is_symlink() and not _inside(os.path.realpath(entry), root):
            run.out.skipped.append(
                SourceError(
                    child,
                    "skipped: a symbolic link to something outside the input folder",
                    "copy the file into the folder, or pass its path directly",
                )
            )
        elif entry.is_dir():
            real = os.path.realpath(entry)
            if real in run.seen_dirs:
                run.out.notes.append(f"{child}: skipped, already visited (symlink loop?)")
                continue
            run.seen_dirs.add(real)
            try:
                found += _walk(entry, child, run, root)
            except SourceError as e:
                run.fail(e)
        elif entry.suffix.lower() not in SUPPORTED_EXTENSIONS:
            run.out.notes.append(f"{child}: skipped, unknown extension ({_EXTENSIONS_HINT})")
        else:
            found += 1
            try:
                _load_path(entry, child, run)
            except SourceError as e:
                run.fail(e)
    return found


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


# --------------------------------------------------------------------------- files


def _read_bytes(path: Path) -> bytes:
    """Read a whole file (a seam for tests: the size check must happen before this)."""
    return path.read_bytes()


def _load_file(path: Path, given: str, size: int, run: _Run) -> list[Article]:
    if size > run.max_bytes:
        raise SourceError(
            given,
            f"file is {size / 1e6:.1f} MB, over the {run.max_bytes / 1e6:.1f} MB limit",
            "split it, or raise the limit with load_articles(..., max_bytes=N)",
        )
    if size == 0:
        raise SourceError(given, "file is empty", "remove it or add the article text")
    try:
        data = _read_bytes(path)
    except PermissionError as e:
        raise SourceError(given, "cannot read the file (permission denied)", "check its permissions") from e
    except OSError as e:
        raise SourceError(given, f"cannot read the file ({e.strerror or e})", "check the file") from e
    text, notes = _decode(data, given)
    if not text.strip():
        raise SourceError(given, "file is empty", "remove it or add the article text")
    ext = path.suffix.lower()
    if ext in (".json", ".jsonl"):
        return _from_json_file(text, given, notes, run, lines=ext == ".jsonl")
    if ext in (".html", ".htm"):
        return [_from_html(text, given, notes)]
    if _looks_like_html(text):
        note = f"content is HTML despite the {ext or 'missing'} extension; extracted as HTML"
        return [_from_html(text, given, (*notes, note))]
    if ext == ".md":
        title, body = _markdown_title(text)
        return [Article(text=body, path=given, title=title, format="markdown", notes=notes)]
    return [Article(text=text, path=given, format="text", notes=notes)]


def _decode(data: bytes, given: str) -> tuple[str, tuple[str, ...]]:
    """Bytes -> text with normalised line endings; notes say how the encoding was chosen.

    Order: a byte-order mark, valid UTF-8, the charset the file declares (HTML `<meta charset>` or
    `http-equiv`, an XML declaration), UTF-8 with a little damage, then charset-normalizer's guess
    (noted as a guess), then cp1252/Latin-1."""
    bom = _bom(data)
    if bom is not None:
        return bom
    if _is_binary(data[:_SNIFF_BYTES]) or _is_binary(data[-_SNIFF_BYTES:]):  # head or tail
        raise SourceError(given, "looks like a binary file, not text", "convert it to .txt, .html or .json")
    try:
        return _newlines(data.decode("utf-8-sig")), ()
    except UnicodeDecodeError as e:
        utf8_error = e
    declared = _declared_charset(data[:_SNIFF_BYTES])
    notes: tuple[str, ...] = ()
    if declared is not None and declared != "utf-8":
        try:
            return _newlines(data.decode(declared)), (f"decoded as {declared}, the declared charset",)
        except UnicodeDecodeError:
            notes = (f"the declared charset ({declared}) does not fit the bytes",)
    damaged = _damaged_utf8(data, utf8_error)
    if damaged is not None:
        return _newlines(damaged[0]), (*notes, damaged[1])
    guess = _guess_encoding(data)
    if guess is not None:
        return _newlines(data.decode(guess)), (
            *notes,
            f"not UTF-8 and no charset declared: decoded as {guess} (guessed by charset-normalizer)",
        )
    try:
        return _newlines(data.decode("cp1252")), (*notes, "decoded as cp1252 (not UTF-8)")
    except UnicodeDecodeError:
        return _newlines(data.decode("latin-1")), (*notes, "decoded as latin-1 (not UTF-8)")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def _bom(data: bytes) -> tuple[str, tuple[str, ...]] | None:
    """Text decoded by its byte-order mark (UTF-8 with a BOM is left to the UTF-8 path)."""
    for mark, codec, name in _BOMS:
        if not data.startswith(mark) or codec == "utf-8-sig":
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            return None
        if "\x00" in text:
            return None
        return _newlines(text), (f"decoded as {name} (byte-order mark)",)
    return None


_CHARSET_DECL = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
# What browsers actually use for these labels (WHATWG Encoding Standard): supersets, not the strict codec.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "windows-1252": "cp1252", "gb2312": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874",
    "iso-8859-9": "cp1254", "big5": "big5hkscs",
}  # fmt: skip


def _declared_charset(head: bytes) -> str | None:
    """The codec named by an HTML meta charset or XML declaration in the first bytes, if Python knows it."""
    m = _CHARSET_DECL.search(head)
    if m is None:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


# When charset-normalizer finds several encodings equally plausible, prefer the most common on the web.
_PREFERRED = (
    "cp1252", "gb18030", "cp932", "cp949", "cp1251", "cp1250", "euc_jp", "big5", "iso8859_2", "koi8_r",
    "cp1256", "cp1253", "cp1254", "cp1255", "cp1257", "cp874", "iso8859_15",
)  # fmt: skip


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess (ties broken by web frequency), or None when it has none."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        return None
    chaos = min(r.chaos for r in results)
    close = [r for r in results if r.chaos <= chaos + 0.01]
    coherence = max(r.coherence for r in close)
    tied = [r.encoding for r in close if r.coherence >= coherence - 0.05]
    best = min(tied, key=lambda e: _PREFERRED.index(e) if e in _PREFERRED else len(_PREFERRED))
    text = data.decode(best)
    try:
        western, name = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        western, name = data.decode("latin-1"), "latin-1"
    # The same text, or a guess that glues scripts inside words ("Cafй") where cp1252 does not: cp1252.
    if western == text or (_mixed_words(text) > _mixed_words(western)):
        return name
    return best


_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]")
_OTHER_LETTER = re.compile(r"[^\W\dA-Za-z\u00C0-\u024F_]")


def _mixed_words(text: str) -> int:
    """Words mixing Latin letters with letters of another script: the mark of a wrong decoding."""
    return sum(1 for w in text.split() if _LATIN_WORD.search(w) and _OTHER_LETTER.search(w))


def _damaged_utf8(data: bytes, error: UnicodeDecodeError) -> tuple[str, str] | None:
    """UTF-8 text with a little damage (a file cut mid-character, a few corrupt bytes), decoded as UTF-8
    rather than as cp1252, which would garble every other non-ASCII character; None if not UTF-8."""
    if error.reason == "unexpected end of data" and error.end == len(data):
        try:
            text = data[: error.start].decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:
            return text, "the file ends mid-character (cut off?): the incomplete last character was dropped"
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")  # valid non-ASCII
    if good < max(bad, 1):
        return None
    return text, f"not valid UTF-8: {bad} invalid byte sequence{'s' if bad > 1 else ''} replaced with U+FFFD"


_NOT_CONTROL = bytes(b for b in range(256) if not ((b < 32 and b not in (9, 10, 12, 13, 27)) or b == 127))


def _is_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    control = len(head.translate(None, _NOT_CONTROL))  # what is left once the other bytes are deleted
    return bool(head) and control / len(head) > 0.10


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:15].lower()
    return head.startswith(("<!doctype html", "<html"))


def _markdown_title(text: str) -> tuple[str, str]:
    """Strip a leading "# Title" line (and blank lines after it) into the title."""
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    if not first.startswith("# "):
        return "", text
    return first[2:].strip().rstrip("#").strip(), rest.lstrip("\n")


# --------------------------------------------------------------------------- HTML


def _from_html(html: str, given: str, notes: tuple[str, ...]) -> Article:
    doc = _extract_html(html, given)
    text = _newlines(str(doc.get("text") or "")).strip("\n")
    depth = 0 if text.strip() else _nesting_depth(html)
    if depth > _PARSER_DEPTH:  # the parser drops what is nested deeper: flatten layout tags, try again
        doc = _extract_html(_LAYOUT_TAG.sub("\n", html), given)
        text = _newlines(str(doc.get("text") or "")).strip("\n")
        notes = (*notes, f"HTML nested {depth} levels deep; layout tags were flattened to extract the text")
    if not text.strip():
        deep = f" (elements nested {depth} levels deep)" if depth > _PARSER_DEPTH else ""
        raise SourceError(
            given, f"no article text found in the HTML{deep}", "save the article page or paste its text"
        )
    return Article(
        text=text,
        path=given,
        title=_meta_str(doc.get("title")),
        outlet=_meta_str(doc.get("sitename")),
        date=_meta_str(doc.get("date")),
        url=_meta_str(doc.get("url")),
        format="html",
        notes=notes,
    )


_PARSER_DEPTH = 250  # libxml2 (under trafilatura) silently drops elements nested deeper than ~256
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
_VOID_TAG = re.compile(r"area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr", re.I)
_LAYOUT_TAG = re.compile(
    r"</?(?:div|span|section|font|center|blockquote|table|tbody|thead|tr|td|th|ul|ol|li|main|aside"
    r"|header|footer|nav|b|i|em|strong|small|big|u)\b[^>]*>",
    re.IGNORECASE,
)


def _nesting_depth(html: str) -> int:
    """How deep elements nest (void and self-closing tags do not count); one linear scan."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(3) or _VOID_TAG.fullmatch(m.group(2)):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _extract_html(html: str, given: str) -> dict[str, Any]:
    try:
        import trafilatura  # slow import, only needed for HTML

        return _bare_extraction(trafilatura, html, given)
    except ImportError as e:  # e.g. lxml 5.2+ without lxml_html_clean, which trafilatura imports
        missing = e.name or "a module"
        raise SourceError(
            given,
            f"cannot read HTML: the HTML extractor needs {missing}, which is not installed",
            "reinstall the toolkit (pip install brief-toolkit), or pip install lxml_html_clean",
        ) from e


def _bare_extraction(trafilatura: Any, html: str, given: str) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = trafilatura.bare_extraction(
                html, with_metadata=True, include_comments=False, include_tables=True
            )
    except ImportError:
        raise
    except Exception as e:  # the extractor's parser errors are not part of its API
        raise SourceError(given, f"could not parse the HTML ({type(e).__name__})", "check the file") from e
    if doc is None:
        return {}
    if isinstance(doc, dict):
        return doc
    as_dict: dict[str, Any] = doc.as_dict()
    return as_dict


def _meta_str(value: object) -> str:
    if isinstance(value, str):
        return _no_surrogates(" ".join(value.split()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):  # e.g. NewsAPI: "source": {"id": ..., "name": ...}
        return _meta_str(value.get("name"))
    return ""


# --------------------------------------------------------------------------- JSON and dicts


def _from_json_file(
    text: str, given: str, notes: tuple[str, ...], run: _Run, *, lines: bool
) -> list[Article]:
    out: list[Article] = []
    reported = len(run.out.skipped)
    for where, obj in _json_lines(text, given, run) if lines else _json_items(text, given):
        try:
            out.append(_from_mapping(obj, given, "json", (*notes, where) if where else notes, where=where))
        except SourceError as e:
            run.fail(e)
    if not out and len(run.out.skipped) == reported:  # `[]`: nothing failed, nothing there (say so)
        run.fail(SourceError(given, "no articles in the file", "add objects with a 'text' field"))
    return out


def _json_items(text: str, given: str) -> list[tuple[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(
            given,
            f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}",
            "fix or re-export the file",
        ) from e
    except RecursionError as e:
        raise SourceError(given, "JSON nested too deeply to read", "fix or re-export the file") from e
    if isinstance(data, list):
        return [(f"JSON item {i}", obj) for i, obj in enumerate(data, start=1)]
    return [("", data)]


def _json_lines(text: str, given: str, run: _Run) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append((f"JSONL line {number}", json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as e:
            problem = e.msg if isinstance(e, json.JSONDecodeError) else "nested too deeply to read"
            run.fail(
                SourceError(given, f"line {number}: malformed JSON ({problem})", "fix or remove that line")
            )
    return items


def _from_mapping(obj: object, given: str, fmt: str, notes: tuple[str, ...], *, where: str = "") -> Article:
    prefix = f"{where}: " if where else ""
    if not isinstance(obj, Mapping):
        raise SourceError(given, f"{prefix}expected an object, got {type(obj).__name__}", "use {'text': ...}")
    text_value = next((obj[k] for k in _TEXT_KEYS if obj.get(k) is not None), None)
    meta = {
        name: next((_meta_str(obj.get(k)) for k in keys if obj.get(k)), "")
        for name, keys in _META_KEYS.items()
    }
    if text_value is None and isinstance(obj.get("html"), str):
        doc = _from_html(_newlines(obj["html"]), given, notes)
        return doc.model_copy(update={k: v for k, v in meta.items() if v})
    if not isinstance(text_value, str):
        problem = (
            "has no 'text', 'content' or 'body' field" if text_value is None else "'text' is not a string"
        )
        raise SourceError(given, prefix + problem, "give each article a 'text' string")
    if not text_value.strip():
        raise SourceError(given, f"{prefix}article text is empty", "remove it or add the article text")
    extra = obj.get("notes")
    extra_notes = tuple(_no_surrogates(str(n)) for n in extra) if isinstance(extra, list | tuple) else ()
    if _SURROGATE.search(text_value):
        text_value = _no_surrogates(text_value)
        extra_notes += ("lone UTF-16 surrogates (a character cut in half) replaced with U+FFFD",)
    return Article(
        text=_newlines(text_value),
        path=given,
        format=fmt,
        notes=(*notes, *extra_notes),
        **meta,
    )
