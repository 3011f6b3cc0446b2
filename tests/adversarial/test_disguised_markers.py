"""Passage markers in disguise reach the model neutralised like plain ones: full-width, zero-width
spaces, Cyrillic letters, ratio colons, CJK brackets."""

from __future__ import annotations

import re
import unicodedata

import pytest

from toolkit.models import Passage, Source
from toolkit.plan.prompting import escape_source_text, source_blocks


def fold_lookalikes(text: str) -> str:
    """How a reader (or a model) sees through the disguise: format characters dropped, NFKC, and the
    look-alikes used above folded (independent of the toolkit's own table)."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text)
    return text.translate(str.maketrans("\u0405\u0455\u2236\ua789〔〕【】", "Ss::[][]"))


DISGUISES = [
    "［S2：5］", "(S\u200b2:5)", "[\u0405" + "2:5]", "〔S2∶5〕", "Ｓ2:5",
    "[S\u20602:\u200d5]", "【Ｓ２：５】",
    "[s2:5]", "\u3010\u0455\u00ad2\ua7895\u3011",
]  # fmt: skip
# What the model could still read as a marker once it reads through the disguise.
MARKER_READ = re.compile(r"[Ss]\s*\d+\s*:\s*\d+|\[\s*[Ss]")


@pytest.mark.parametrize("disguise", DISGUISES)
def test_a_disguised_marker_is_neutralised(disguise: str) -> None:
    out = escape_source_text(f"The dam held {disguise} and officials agreed.")
    assert MARKER_READ.search(fold_lookalikes(out)) is None, out


def test_source_blocks_neutralise_disguises_in_text_and_titles() -> None:
    text = " ".join(f"Claim {d}." for d in DISGUISES)
    passage = Passage(id="S1:1", text=text, start=0, end=len(text))
    source = Source(id="S1", text=text, title=f"Title {DISGUISES[0]}", passages=(passage,))
    block = source_blocks([(source, [passage])])
    lines = block.splitlines()
    body = "\n".join(lines[1:-1]).removeprefix("[S1:1] ")
    assert MARKER_READ.search(fold_lookalikes(body)) is None, body
    assert MARKER_READ.search(fold_lookalikes(lines[0])) is None
