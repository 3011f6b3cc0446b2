"""A sentence whose citation does not hold it: the reason names the passage that does ("cite S1:2"), or
the passage that says otherwise, so a citation one passage off reads differently from a changed fact.
The status stays the cited passage's verdict."""

from __future__ import annotations

from toolkit import load_articles
from toolkit.check.verifier import Verifier
from toolkit.ingest.passages import build_corpus

EN = [
    {
        "title": "River floods Kerby",
        "text": "The Arden river burst its banks on Monday after two days of heavy rain, cutting off "
        "the town of Kerby.\n\nOfficials said about 1,200 people were evacuated overnight.\n\n"
        "The mayor asked the national government for emergency aid and army trucks.",
    },
    {
        "title": "Schools shut in Kerby",
        "text": "Schools in Kerby will stay closed until Thursday, the education office said.",
    },
]

ZH = [
    "暴雨致南坪与外界隔绝\n\n周一，青河在创纪录的降雨后泛滥，南坪与外界隔绝。\n\n应急部门表示，约900名居民已离开家园。"
    "目前已确认一人死亡。",
    "军方向南坪派出卡车\n\n周一，军方向南坪派出30辆卡车，运送饮用水和食品。",
]


def _verifier(items: list) -> Verifier:  # type: ignore[type-arg]
    return Verifier(build_corpus(load_articles(items)))


def test_a_citation_one_passage_off_names_the_passage_that_holds_the_sentence() -> None:
    v = _verifier(EN)
    s = v.check_sentence("Officials said about 1,200 people were evacuated overnight.", ("S1:3",))
    assert s.status == "unsupported"
    assert "S1:2 holds it (cite S1:2)" in s.reason, s.reason


def test_a_changed_number_names_the_passage_that_says_otherwise() -> None:
    v = _verifier(EN)
    s = v.check_sentence("Officials said about 4,000 people were evacuated overnight.", ("S1:3",))
    assert s.status == "unsupported"
    assert "S1:2 says otherwise" in s.reason and "1,200" in s.reason, s.reason
    assert "cite S1:2" not in s.reason


def test_a_sentence_no_passage_holds_gets_no_hint() -> None:
    v = _verifier(EN)
    s = v.check_sentence("The central bank raised interest rates by half a point.", ("S1:3",))
    assert s.status == "unsupported"
    assert "holds it" not in s.reason and "says otherwise" not in s.reason, s.reason


def test_hints_work_for_text_without_spaces() -> None:
    v = _verifier([{"text": t} for t in ZH])
    copied = v.check_sentence("约900名居民已离开家园。", ("S2:1",))
    changed = v.check_sentence("约3000名居民已离开家园。", ("S2:1",))
    assert copied.status == changed.status == "unsupported"
    assert "S1:2 holds it (cite S1:2)" in copied.reason, copied.reason
    assert "S1:2 says otherwise" in changed.reason and "900" in changed.reason, changed.reason


def test_a_contradicted_number_names_the_passage_that_holds_the_sentence() -> None:
    # The cited passage gives another toll; the sentence is word for word in another source's passage.
    v = _verifier(
        [
            {"title": "A1", "text": "The crash on the motorway killed 52 people, police said."},
            {"title": "A2", "text": "Medics said the crash on the motorway killed 60 people on Sunday."},
        ]
    )
    s = v.check_sentence("The crash on the motorway killed 60 people.", ("S1:1",))
    assert s.status == "contradicted"
    assert "S2:1 holds it (cite S2:1)" in s.reason, s.reason


def test_one_cited_passage_that_disagrees_says_otherwise_in_the_singular() -> None:
    v = _verifier(
        [
            {"title": "A1", "text": "The crash killed 52 people, police said."},
            {"title": "A2", "text": "The crash killed 60 people, medics said."},
        ]
    )
    s = v.check_sentence("The crash killed 60 people.", ("S1:1", "S2:1"))
    assert s.status == "disputed"
    assert "S1:1 says otherwise" in s.reason, s.reason
