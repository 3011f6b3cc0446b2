"""Chinese death tolls ("300人死亡", "350人遇难") are one fact across sources, like English ones."""

from __future__ import annotations

from toolkit import load_articles
from toolkit.pipeline import verify
from toolkit.text.claims import DEAD, facts


def test_chinese_tolls_are_read_as_the_dead_and_other_counts_are_not() -> None:
    assert [q.noun for q in facts("地震造成300人死亡。").quantities] == [DEAD]
    assert [q.noun for q in facts("地震已致300人遇难。").quantities] == [DEAD]
    injured = facts("地震造成350人死亡，500人受伤。").quantities
    assert [(q.text, q.noun == DEAD) for q in injured] == [("350", True), ("500", False)]
    assert all(q.noun != DEAD for q in facts("事故造成12名士兵死亡。").quantities)  # a named group


def test_chinese_tolls_worded_differently_are_a_dispute() -> None:
    articles = load_articles(
        [
            {"title": "甲", "text": "周一，南坪发生强烈地震，地震造成300人死亡。"},
            {"title": "乙", "text": "应急部门官员周二表示，这场地震已致350人遇难。"},
        ]
    )
    b = verify("周一，南坪发生强烈地震，地震造成300人死亡。 [S1:1]", articles)
    s = b.sentences[0]
    assert s.status == "disputed", s.reason
    assert "death toll" in s.reason and "'350'" in s.reason
