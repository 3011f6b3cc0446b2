"""The offline engine cites other sources' passages as corroboration only when they hold the sentence's
numbers: a passage that gives another death toll is a conflict (the report lists it), not support."""

from __future__ import annotations

from toolkit import build_corpus, load_articles
from toolkit.engines.extractive import ExtractiveEngine

A = (
    "Floods in Kelby\n\n"
    "The death toll from the Kelby floods is estimated to be 110 people, officials said on Friday.\n\n"
    "Rescue teams searched the flooded streets of the old town through the night.\n"
)
B = (
    "Kelby flood toll\n\n"
    "The death toll from the Kelby floods is estimated to be 150 people, officials said on Friday.\n\n"
    "Schools in the region stay closed until Thursday.\n"
)
C = (
    "Kelby counts its dead\n\n"
    "The death toll from the Kelby floods is estimated to be 110 people, officials said on Friday night.\n\n"
    "The army sent forty trucks with water and food.\n"
)


def test_a_passage_with_another_number_is_not_cited_as_support() -> None:
    corpus = build_corpus(load_articles([{"text": A}, {"text": B}, {"text": C}]))
    draft = ExtractiveEngine().summarize(corpus, words=60)
    toll = next(s for s in draft.sentences if "death toll" in s.text)
    home = toll.citations[0].split(":")[0]
    other = {"S1": "S3", "S3": "S1", "S2": None}[home]
    cited_sources = {c.split(":")[0] for c in toll.citations}
    if "110" in toll.text:
        assert "S2" not in cited_sources and other in cited_sources, toll
    else:
        assert cited_sources == {"S2"}, toll
