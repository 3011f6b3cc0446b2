"""Rewrite the results blocks of README.md from benchmarks/results/: the README quotes, it holds no figures.

    python benchmarks/sync_readme.py [--check] [--readme README.md] [--results benchmarks/results]

A results block is two marker lines and what lies between them:

    <!-- results:NAME -->
    ...
    <!-- /results:NAME -->

NAME is a file stem in `benchmarks/results/` and the block holds exactly the body of `NAME.md`: every
line after its first `# title` line, leading and trailing blank lines stripped (so it starts with the
stamp line: command, commit, date, machine load). `NAME#SLUG` quotes one `## ` section of `NAME.md`
instead: the file's stamp line, a blank line, then the section's body (without its `## ` heading) up
to the next `## ` heading; SLUG is the heading lower-cased with every run of characters other than
a-z and 0-9 turned into `-` (`## scrapinghub (181 pages)` -> `scrapinghub-181-pages`).

`--check` rewrites nothing and exits 1 when a block is stale or names a missing file or section
(`tests/test_readme_figures.py` runs the same check). `run_all.py --readme` calls this.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"

BLOCK = re.compile(
    r"^<!-- results:(?P<name>[A-Za-z0-9_.-]+(?:#[a-z0-9-]+)?) -->[ \t]*\n"
    r"(?P<body>.*?)"
    r"^<!-- /results:(?P=name) -->[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
OPENING = re.compile(r"^<!-- results:(\S+) -->[ \t]*$", re.MULTILINE)
CLOSING = re.compile(r"^<!-- /results:(\S+) -->[ \t]*$", re.MULTILINE)
STAMP = "Made by "


class QuoteError(ValueError):
    """A block that cannot be filled: the results file or section does not exist, or markers are unpaired."""


@dataclass(frozen=True)
class Block:
    name: str  # NAME or NAME#SLUG
    body: str  # what the README holds between the markers, stripped
    start: int  # offsets of the body in the README text
    end: int


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def file_body(markdown: str) -> str:
    """Everything after the first `# title` line, stripped of leading/trailing blank lines."""
    lines = markdown.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[k + 1 :]).strip("\n").rstrip()
    return markdown.strip("\n").rstrip()


def section_body(markdown: str, wanted: str) -> str | None:
    """The stamp line, a blank line, then the `## ` section whose heading slugs to `wanted`."""
    body = file_body(markdown)
    lines = body.splitlines()
    stamp_line = next((line for line in lines if line.startswith(STAMP)), "")
    for k, line in enumerate(lines):
        if line.startswith("## ") and slug(line[3:]) == wanted:
            rest: list[str] = []
            for following in lines[k + 1 :]:
                if following.startswith("## "):
                    break
                rest.append(following)
            text = "\n".join(rest).strip("\n").rstrip()
            return f"{stamp_line}\n\n{text}" if stamp_line else text
    return None


def nested(body: str) -> str:
    """Headings of a results file two levels deeper, so a quoted table sits under the README's own
    section instead of opening new top-level ones (`## x` -> `#### x`; code blocks untouched)."""
    out: list[str] = []
    fenced = False
    for line in body.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        out.append("##" + line if not fenced and re.match(r"#{1,4} ", line) else line)
    return "\n".join(out)


def expected(name: str, results: Path = RESULTS) -> str:
    """What the block `name` must hold (headings nested, see `nested`); QuoteError when its file or
    section does not exist."""
    return nested(_expected(name, results))


def _expected(name: str, results: Path) -> str:
    stem, _, section = name.partition("#")
    path = results / f"{stem}.md"
    if not path.is_file():
        raise QuoteError(f"README block {name!r} names {path.name}, which is not in benchmarks/results/")
    markdown = path.read_text(encoding="utf-8")
    if not section:
        return file_body(markdown)
    found = section_body(markdown, section)
    if found is None:
        raise QuoteError(f"README block {name!r}: {path.name} has no '## ' section that slugs to {section!r}")
    return found


def blocks(text: str) -> list[Block]:
    """Every results block of `text`; QuoteError on an opening marker without its closing one."""
    found = [
        Block(m["name"], m["body"].strip("\n").rstrip(), m.start("body"), m.end("body"))
        for m in BLOCK.finditer(text)
    ]
    opened = [m.group(1) for m in OPENING.finditer(text)]
    closed = [m.group(1) for m in CLOSING.finditer(text)]
    paired = [b.name for b in found]
    if sorted(opened) != sorted(paired) or sorted(closed) != sorted(paired):
        raise QuoteError(
            "README results markers do not pair up: each '<!-- results:NAME -->' needs a later "
            f"'<!-- /results:NAME -->' (opened {opened}, closed {closed})"
        )
    return found


def stale(text: str, results: Path = RESULTS) -> list[str]:
    """One line per block whose content differs from its results file (or that names a missing one)."""
    problems: list[str] = []
    for block in blocks(text):
        try:
            want = expected(block.name, results)
        except QuoteError as e:
            problems.append(str(e))
            continue
        if block.body != want:
            problems.append(
                f"README block {block.name!r} differs from benchmarks/results/"
                f"{block.name.partition('#')[0]}.md (run: python benchmarks/sync_readme.py)"
            )
    return problems


def sync(text: str, results: Path = RESULTS) -> str:
    """`text` with every block's content replaced by its results file; QuoteError for a missing one."""
    out: list[str] = []
    last = 0
    for block in blocks(text):
        out.append(text[last : block.start])
        out.append(expected(block.name, results) + "\n")
        last = block.end
    out.append(text[last:])
    return "".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--check", action="store_true", help="only report stale blocks (exit 1 if any)")
    ap.add_argument("--readme", type=Path, default=README)
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        if args.check:
            problems = stale(text, args.results)
            for p in problems:
                print(p, file=sys.stderr)
            return 1 if problems else 0
        new = sync(text, args.results)
    except QuoteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    state = "rewritten" if new != text else "up to date"
    print(f"{args.readme.name}: {len(blocks(new))} results blocks {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
