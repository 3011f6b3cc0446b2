"""Bad input files: what a scrape folder holds besides articles, each with the outcome we expect.

Every case writes one file (or link) into a folder and says what loading it must give: a one-line
`SourceError` naming the file (with a phrase of the problem), or an article (with its exact text, and a
note saying what was odd). `folder_of_files` mixes good articles with bad files, for the 1,000-file run.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit import Articles, Corpus, build_corpus, load_articles

from .figures import Figures
from .texts import article, filler

__all__ = ["CASES", "FOLDER_CASES", "Case", "FolderRun", "folder_of_files", "run_folder", "scenario"]

STORY = (
    "Flash floods swept through Mosul on Monday, killing at least 14 people, the governor said. "
    "Le café près du pont était fermé; “nobody expected this,” one résident said.\n\n"
    "Rescue teams worked through the night — 1,200 families were moved to schools.\n"
)
HTML = (
    "<!DOCTYPE html><html><head><title>Floods in Mosul</title></head><body><article>"
    "<p>Flash floods swept through Mosul on Monday, killing at least 14 people, the governor said.</p>"
    "<p>Rescue teams worked through the night and moved 1,200 families to schools.</p>"
    "</article></body></html>"
)


def _bytes(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _sparse(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as fh:
            fh.truncate(size)  # a hole: 50 MB on paper, nothing on disk

    return write


def _nested(depth: int) -> bytes:
    para = "<p>Flash floods swept through Mosul on Monday, killing at least 14 people, the governor said.</p>"
    return ("<html><body>" + "<div class='x'>" * depth + para + "</div>" * depth + "</body></html>").encode()


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # reading it would block forever


def _file_loop(path: Path) -> None:
    other = path.with_name("loop-b.txt")
    os.symlink(other.name, path)
    os.symlink(path.name, other)


def _dangling(path: Path) -> None:
    os.symlink("gone-for-good.txt", path)


def _folder_loop(path: Path) -> None:
    os.symlink(".", path)  # a link to the folder itself


def _odd_name(raw: bytes, data: bytes) -> Callable[[Path], object]:
    return lambda path: Path(os.fsdecode(os.path.join(os.fsencode(path.parent), raw))).write_bytes(data)


_rng = random.Random(80)
_RANDOM = _rng.randbytes(4096)
_UTF8 = STORY.encode()
_CUT = _UTF8.index("é".encode()) + 1  # inside the two bytes of the first "é"
_DAMAGED = _UTF8[:20] + b"\xff" + _UTF8[20:60] + b"\xc3\x28" + _UTF8[60:]


@dataclass(frozen=True)
class Case:
    name: str  # file name in the folder, as the toolkit shows it
    kind: str  # what is wrong with it
    write: Callable[[Path], object]
    error: str = ""  # a phrase of the expected SourceError ("" when it loads)
    errors: int = -1  # how many SourceErrors (-1: one if `error`, else none)
    loads: int = -1  # how many articles (-1: none if `error`, else one)
    text: str | None = None  # the exact text of the article, when it loads
    note: str = ""  # a phrase of a note on the article or the folder
    many: bool = True  # can be written many times under other names (the 1,000-file folder)

    @property
    def expected_errors(self) -> int:
        return self.errors if self.errors >= 0 else int(bool(self.error))

    @property
    def expected_articles(self) -> int:
        return self.loads if self.loads >= 0 else int(not self.error)


CASES: tuple[Case, ...] = (
    Case("empty.txt", "empty", _bytes(b""), error="file is empty"),
    Case("blank.md", "whitespace only", _bytes(b"  \n\n\t \n"), error="file is empty"),
    Case("random.txt", "binary", _bytes(_RANDOM), error="binary"),
    Case("image.html", "binary with .html", _bytes(b"\x89PNG\r\n\x1a\n" + _RANDOM), error="binary"),
    Case("nul.json", "NUL bytes", _bytes(b'{"text": "abc' + b"\x00" * 64 + b'"}'), error="binary"),
    Case("tail.txt", "text then binary", _bytes(STORY.encode() * 40 + _RANDOM), error="binary"),
    Case("utf16.txt", "UTF-16 without BOM", _bytes(STORY.encode("utf-16-le")), error="binary"),
    Case("cut-utf8.txt", "cut mid-character", _bytes(_UTF8[:_CUT]), text=STORY[: STORY.index("é")],
         note="ends mid-character"),
    Case("cut.json", "JSON cut mid-way", _bytes(json.dumps({"text": STORY}).encode()[:60]),
         error="malformed JSON"),
    Case("cut.jsonl", "JSON lines, last cut", _bytes(b'{"text": "First article."}\n{"text": "Sec'),
         error="line 2: malformed JSON", loads=1),
    Case("cut.html", "HTML cut mid-tag", _bytes(HTML.encode()[: HTML.index("</p><p>Rescue") + 6])),
    Case("huge.txt", "50 MB (sparse)", _sparse(50_000_000), error="over the 20.0 MB limit"),
    Case("huge.html", "50 MB (sparse)", _sparse(50_000_000), error="over the 20.0 MB limit"),
    Case("nested.html", "5,000 nested divs", _bytes(_nested(5_000)), note="layout tags were flattened"),
    Case("nested-100k.html", "100,000 nested divs", _bytes(_nested(100_000)), note="flattened"),
    Case("deep.json", "JSON nested 100,000 deep", _bytes(b"[" * 100_000 + b"]" * 100_000),
         error="nested too deeply"),
    Case("damaged.txt", "invalid UTF-8 bytes", _bytes(_DAMAGED),
         text=_DAMAGED.decode("utf-8", "replace"), note="invalid byte sequences"),
    Case("latin1.txt", "Latin-1", _bytes(STORY.replace("—", "-").replace("“", '"').replace("”", '"')
                                         .encode("latin-1")), note="not UTF-8",
         text=STORY.replace("—", "-").replace("“", '"').replace("”", '"')),
    Case("cp1252.txt", "Windows-1252 quotes", _bytes(STORY.encode("cp1252")), text=STORY, note="cp1252"),
    Case("surrogate.json", "lone surrogate", _bytes(b'{"text": "Floods \\ud83d hit Mosul on Monday."}'),
         text="Floods \ufffd hit Mosul on Monday.", note="surrogates"),
    Case("html.txt", ".txt holding HTML", _bytes(HTML.encode()), note="content is HTML"),
    Case("text.json", ".json holding text", _bytes(STORY.encode()), error="malformed JSON at line 1"),
    Case("binary.html", ".html holding binary", _bytes(_RANDOM), error="binary"),
    Case("no-text.json", "JSON without text", _bytes(b'{"title": "Floods"}'), error="no 'text'"),
    Case("number.json", "text not a string", _bytes(b'{"text": 42}'), error="not a string"),
    Case("pipe.txt", "FIFO", _fifo, error="file is empty"),
    Case("loop-a.txt", "symlink loop (files)", _file_loop, error="symbolic links", errors=2,
         many=False),
    Case("dangling.txt", "dangling symlink", _dangling, error="no such file"),
    Case("self", "symlink loop (folder)", _folder_loop, note="symlink loop", loads=0),
    Case("line\\nbreak.txt", "newline in the name", _odd_name(b"line\nbreak.txt", _UTF8), text=STORY,
         many=False),
    Case("caf\\xe9.txt", "name not UTF-8", _odd_name(b"caf\xe9.txt", _UTF8), text=STORY, many=False),
    Case("caf\\xe9-empty.txt", "empty, name not UTF-8", _odd_name(b"caf\xe9-empty.txt", b""),
         error="file is empty", many=False),
    Case("notes.pdf", "unknown extension", _bytes(b"%PDF-1.4"), note="unknown extension", loads=0),
)  # fmt: skip

# The kinds of bad file written, in turn, into the 1,000-file folder.
FOLDER_CASES = tuple(c for c in CASES if c.many and c.error)


def folder_of_files(folder: Path, *, total: int = 1000, bad: int = 50, seed: int = 1) -> dict[str, str]:
    """`total` files, `bad` of them bad (the kinds in FOLDER_CASES, in turn); returns good name -> text.
    Good files are .txt, .md (with a title) and .json articles."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    good: dict[str, str] = {}
    every = total // bad
    for i in range(total):
        if i % every == every - 1 and i // every < bad:
            case = FOLDER_CASES[(i // every) % len(FOLDER_CASES)]
            case.write(folder / f"{i:04d}-{case.name}")
            continue
        text = filler(rng) if i % 10 else article(rng)
        if i % 7 == 3:
            (folder / f"{i:04d}.json").write_text(json.dumps({"text": text, "title": f"Article {i}"}))
        elif i % 7 == 5:
            (folder / f"{i:04d}.md").write_text(f"# Article {i}\n\n{text}")
        else:
            (folder / f"{i:04d}.txt").write_text(text)
        good[f"{i:04d}"] = text
    return good


@dataclass
class FolderRun:
    folder: Path
    good: dict[str, str]  # file stem -> its text
    articles: Articles
    corpus: Corpus

    @property
    def bad_files(self) -> int:
        return sum(1 for p in self.folder.iterdir()) - len(self.good)


def run_folder(folder: Path, *, total: int = 1000, bad: int = 50) -> FolderRun:
    good = folder_of_files(folder, total=total, bad=bad)
    articles = load_articles(folder, skip_bad=True)
    return FolderRun(folder, good, articles, build_corpus(articles))


def load_cases(folder: Path) -> Articles:
    """Every case in one folder, loaded with skip_bad."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.write(folder / case.name)
    return load_articles(folder, skip_bad=True)


def scenario(tmp: Path, *, total: int = 1000, bad: int = 50) -> tuple[Articles, FolderRun, Figures]:
    cases = load_cases(tmp / "cases")
    folder = run_folder(tmp / "folder", total=total, bad=bad)
    f = Figures("bad files")
    f.cases = len(CASES) + total
    f.faults = len(CASES) + bad
    f.detail = {"errors (cases)": len(cases.skipped), "errors (folder)": len(folder.articles.skipped)}
    return cases, folder, f
