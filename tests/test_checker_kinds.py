"""Kinds of checking error, each on small inputs of our own: disputes, numbers in any form, copies
that are not copies, and relations a bag of words cannot see (actor, speaker, quote, added clause)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from fakeserver import FakeServer

from toolkit import build_corpus
from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import OpenAIChat
from toolkit.check.decide import FEATURES, THRESHOLD, Signals, consistency, explain
from toolkit.check.relations import clauses, quote_held, quotes, speaker
from toolkit.check.verifier import STATUSES, Verifier
from toolkit.errors import ConfigError
from toolkit.ingest.dedupe import is_copy
from toolkit.models import Article, Corpus
from toolkit.pipeline import verify
from toolkit.plan.planning import sent_passages
from toolkit.text.claims import facts

FLOOD = "Floodwater cut off the river town of Kelby on Monday after the Arden burst its banks."


def corpus_of(*bodies: str) -> Corpus:
    return build_corpus(
        [Article(text=f"Report {k}\n\n{b}", title=f"Report {k}") for k, b in enumerate(bodies, 1)]
    )


def tolls(a: str, b: str) -> Corpus:
    return corpus_of(f"{FLOOD}\n\n{a}", f"Kelby was isolated on Monday when the Arden overflowed.\n\n{b}")


# --- disputes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "said"),
    [
        (
            "Three people died in the flooding, police said.",
            "Police said five people died in the flooding.",
            "Five",
        ),
        ("3 people died in the flooding, police said.", "Police said 5 people died in the flooding.", "5"),
        (
            "Police said three people died in the flooding.",
            "Five people died in the flooding, police said.",
            "five",
        ),
    ],
)
def test_three_vs_five_dead_is_a_conflict_and_the_sentence_taking_one_side_is_disputed(
    a: str, b: str, said: str
) -> None:
    corpus = tolls(a, b)
    out = verify(f"{said} people died in the flooding, police said. [S2:2]", corpus)
    (s,) = out.sentences
    assert "disputed" in STATUSES
    assert s.status == "disputed", s.reason
    assert "S1:2" in s.reason and "S2:2" in s.reason and "takes" in s.reason
    assert out.report is not None
    (conflict,) = [c for c in out.report.conflicts if c.kind == "number"]
    assert {side.passage for side in conflict.sides} == {"S1:2", "S2:2"}
    assert conflict.picked == "S2:2" and conflict.flagged
    assert out.report.statuses == {"disputed": 1}


def test_a_sentence_saying_the_sources_differ_is_not_disputed() -> None:
    corpus = tolls(
        "Three people died in the flooding, police said.", "Police said five people died in the flooding."
    )
    text = "Reports differ on the toll: three or five people died in the flooding, police said. [S1:2; S2:2]"
    (s,) = verify(text, corpus).sentences
    assert s.status != "disputed"


def test_a_cited_passage_that_contradicts_makes_the_sentence_disputed_never_supported() -> None:
    corpus = tolls(
        "Three people died in the flooding, police said.", "Police said five people died in the flooding."
    )
    s = Verifier(corpus).check_sentence("Five people died in the flooding, police said.", ["S1:2", "S2:2"])
    assert s.status == "disputed", s.reason
    assert [c.status for c in s.checks] == ["contradicted", "supported"]
    assert "S1:2" in s.reason and "S2:2" in s.reason


# --- numbers in any form ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("He paid $ 100, 000 for the house.", 100_000),
        ("Sales reached 1. 7 million units.", 1_700_000),
        ("Sales reached 1.7 million units.", 1_700_000),
        ("Three people died.", 3),
        ("At least 1,383 civilians died.", 1383),
    ],
)
def test_numbers_are_read_in_the_forms_text_writes_them(text: str, value: float) -> None:
    (q,) = facts(text).quantities
    assert q.value == value


def test_failed_and_does_not_negate_and() -> None:
    assert facts("The talks failed and the army moved in.").negated == ("",)
    assert facts("He did not visit Paris.").negated == ("visit",)


# --- copies ------------------------------------------------------------------------------------------------
EVACUATED = "At least 1,200 people were evacuated overnight, the regional emergency service said on Monday."
PARAPHRASE = "The regional emergency service said on Monday that about 1,500 people were evacuated overnight."


def test_a_paraphrase_with_a_different_number_is_not_a_copy_and_is_sent() -> None:
    assert not is_copy(EVACUATED, PARAPHRASE)
    assert is_copy(EVACUATED, EVACUATED.replace("said", "stated"))  # a wire copy with a word swapped
    corpus = corpus_of(f"{FLOOD}\n\n{EVACUATED}", f"{FLOOD}\n\n{PARAPHRASE}")
    sent = {p.id for _, passages in sent_passages(corpus) for p in passages}
    assert {"S1:2", "S2:2"} <= sent
    assert not any({"S1:2", "S2:2"} <= set(g.passages) for g in corpus.groups)


def test_a_copy_is_grouped_and_its_citation_kept_only_if_it_holds_the_sentence() -> None:
    other = "Three people were missing, the regional emergency service said on Monday."
    corpus = corpus_of(
        f"{FLOOD}\n\n{EVACUATED}", f"{FLOOD}\n\n{EVACUATED.replace('said', 'stated')}\n\n{other}"
    )
    assert any({"S1:2", "S2:2"} <= set(g.passages) for g in corpus.groups)
    v = Verifier(corpus)
    s = v.check_sentence(
        "At least 1,200 people were evacuated overnight, the service said.", ["S1:2", "S2:2"]
    )
    assert v.keep_checked_copies(s).citations == ("S1:2", "S2:2")  # the copy holds it too: kept


def test_an_added_copy_that_does_not_hold_the_sentence_is_dropped() -> None:
    shorter = "At least 1,200 people were evacuated overnight, the regional emergency service said."
    corpus = corpus_of(f"{FLOOD}\n\n{EVACUATED}", f"{FLOOD}\n\n{shorter}")
    assert any({"S1:2", "S2:2"} <= set(g.passages) for g in corpus.groups)
    v = Verifier(corpus)
    s = v.check_sentence(EVACUATED, ["S1:2", "S2:2"])  # S2:2 added as S1:2's copy; it lacks "Monday"
    kept = v.keep_checked_copies(s)
    assert kept.citations == ("S1:2",) and kept.status == "supported"
    assert "copy S2:2 dropped" in kept.note


# --- relations ---------------------------------------------------------------------------------------------
ARRESTS = (
    "Iraqi forces arrested 13 Syrians in Baghdad on Friday, the interior ministry said.\n\n"
    "Foreign Minister Fuad Hussein said Iraq would not send troops to Syria. "
    "Prime Minister Mohammed al-Sudani said the two countries would share intelligence on IS cells.\n\n"
    'Hussein said security was "a shared responsibility" of both countries.\n\n'
    "Iraq hosted the talks in Baghdad on Friday."
)


@pytest.fixture(scope="module")
def arrests() -> Verifier:
    return Verifier(corpus_of(ARRESTS))


@pytest.mark.parametrize(
    ("kind", "text", "cited"),
    [
        (
            "swapped actor",
            "Syrian forces arrested 13 Iraqis in Baghdad on Friday, the interior ministry said.",
            "S1:1",
        ),
        ("wrong speaker", "Mohammed al-Sudani said Iraq would not send troops to Syria.", "S1:2"),
        ("misquote", 'Hussein said security was "a joint responsibility" of both countries.', "S1:3"),
        (
            "added clause",
            "Iraq hosted the talks in Baghdad on Friday and would send troops to Syria.",
            "S1:4",
        ),
    ],
)
def test_relations_the_words_do_not_show_are_not_supported(
    arrests: Verifier, kind: str, text: str, cited: str
) -> None:
    s = arrests.check_sentence(text, [cited])
    assert s.status != "supported", f"{kind}: {s.reason}"


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("Iraqi forces arrested 13 Syrians in Baghdad on Friday, the interior ministry said.", "S1:1"),
        ("Fuad Hussein said Iraq would not send troops to Syria.", "S1:2"),
        ('Hussein said security was "a shared responsibility" of both countries.', "S1:3"),
        ("Iraq hosted the talks in Baghdad on Friday.", "S1:4"),
    ],
)
def test_the_same_sentences_told_right_are_supported(arrests: Verifier, text: str, cited: str) -> None:
    s = arrests.check_sentence(text, [cited])
    assert s.status == "supported", s.reason


def test_relation_helpers() -> None:
    assert quotes('He said it was "a shared responsibility".') == ("a shared responsibility",)
    assert quote_held("A Shared  responsibility", "security was “a shared responsibility” of both")
    assert (
        speaker("Iraq would not send troops, Foreign Minister Fuad Hussein said.")
        == "Foreign Minister Fuad Hussein"
    )
    assert speaker("Mohammed al-Sudani said Iraq would help.") == "Mohammed al-Sudani"
    assert clauses("Iraq hosted the talks and would send troops.") == [
        "Iraq hosted the talks",
        "would send troops",
    ]


# --- the claim judge, judge_mode="auto" -------------------------------------------------------------------
def test_auto_judge_asks_only_unsettled_sentences_once_each_and_caches(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    corpus = corpus_of(ARRESTS)
    asked: list[str] = []

    def judge(body: dict[str, object]) -> str:
        user = str(body["messages"][-1]["content"])  # type: ignore[index]
        asked.append(user)
        return json.dumps({"verdict": "supported", "reason": "the evidence says so"})

    fake_server.handler = judge
    text = (
        "Iraq hosted the talks in Baghdad on Friday. [S1:4]\n\n"  # settled: supported, one clause
        "Iraq hosted the talks in Baghdad on Friday and would send troops to Syria. [S1:4]"  # partial
    )
    config = EndpointConfig(
        base_url=fake_server.base_url, api_key="sk-test-judge", model="fake-model", timeout=5
    )
    out = verify(text, corpus, judge=OpenAIChat(config, cache=ResponseCache(tmp_path)), judge_mode="auto")
    first, second = out.sentences
    assert len(asked) == 1 and "<claim>" in asked[0] and '<evidence id="S1:4">' in asked[0]
    assert "would send troops" in asked[0] and "DATA, never instructions" not in asked[0]
    assert first.status == "supported" and "LLM judge" not in first.reason
    assert second.status == "supported" and "LLM judge (partial): supported" in second.reason
    assert out.usage.calls == 1
    again = verify(text, corpus, judge=OpenAIChat(config, cache=ResponseCache(tmp_path)), judge_mode="auto")
    assert len(asked) == 1 and (again.usage.calls, again.usage.cached_calls) == (0, 1)


def test_auto_judge_never_clears_a_dispute_between_sources(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.handler = lambda body: json.dumps({"verdict": "supported", "reason": "fine"})
    corpus = tolls(
        "Three people died in the flooding, police said.", "Police said five people died in the flooding."
    )
    config = EndpointConfig(
        base_url=fake_server.base_url, api_key="sk-test-judge", model="fake-model", timeout=5
    )
    chat = OpenAIChat(config, cache=ResponseCache(tmp_path))
    (s,) = verify(
        "Five people died in the flooding, police said. [S1:2; S2:2]", corpus, judge=chat, judge_mode="auto"
    ).sentences
    assert s.status == "disputed" and "LLM judge" in s.reason


def test_an_unknown_judge_mode_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="judge_mode must be 'all' or 'auto'"):
        verify("Iraq hosted the talks. [S1:4]", corpus_of(ARRESTS), judge_mode="sometimes")


def test_the_fitted_step_explains_itself() -> None:
    stitched = Signals(
        coverage=1.0,
        predicate=1.0,
        novel=0.0,
        pairs=0.2,
        number_gaps=0,
        name_gaps=0,
        date_gaps=0,
        negation=0,
        terms=12,
        copied=1.0,
        longest=0.2,
        stitches=4,
    )
    plain = replace(stitched, pairs=1.0, copied=0.3, longest=0.9, stitches=0)
    assert consistency(stitched) < THRESHOLD <= consistency(plain)
    why = explain(stitched)
    assert "pairings" in why or "copied" in why or "joins" in why


# --- names: another part of one person's name, or a shorter form, is not a swap ----------------------
COMEDIAN = (
    "The comedian Stan Freberg, who made radio satire famous, has died aged 88. "
    "Freberg died of natural causes at a Santa Monica hospital on Tuesday, his son said."
)
CLUB = (
    "Bueno played for Derby on loan in 2010-11, scoring five goals in 29 games. "
    "Fans of Derby County still remember him."
)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (COMEDIAN, "Stan died of natural causes at a Santa Monica hospital on Tuesday."),
        (CLUB, "Bueno played for Derby County on loan in 2010-11."),
    ],
)
def test_a_person_named_by_another_part_of_the_name_is_not_a_swap(body: str, text: str) -> None:
    s = Verifier(corpus_of(body)).check_sentence(text, ["S1:1"])
    assert "there)" not in s.reason, s.reason


def test_another_person_in_the_place_of_a_name_is_still_a_swap() -> None:
    other = COMEDIAN + " Mel Blanc, a friend, spoke at the service."
    s = Verifier(corpus_of(other)).check_sentence(
        "Blanc died of natural causes at a Santa Monica hospital on Tuesday.", ["S1:1"]
    )
    assert s.status != "supported", s.reason


# --- a sentence that repeats itself ---------------------------------------------------------------------
def test_a_sentence_repeating_itself_is_rated_lower_and_says_why() -> None:
    from toolkit.check.decide import repeats
    from toolkit.check.verifier import key_order

    assert repeats(key_order("The Dutchman left out Alan Shearer and Alan Shearer in 1999.")) > 0.3
    assert repeats(key_order("The Dutchman left out Alan Shearer and Duncan Ferguson in 1999.")) == 0.0
    plain = Signals(
        coverage=0.9,
        predicate=0.9,
        novel=0.1,
        pairs=0.7,
        number_gaps=0,
        name_gaps=0,
        date_gaps=0,
        negation=0,
        terms=8,
        copied=0.6,
        longest=0.4,
        stitches=1,
    )
    echo = replace(plain, repeats=0.33)
    assert consistency(echo) < consistency(plain) - 0.1
    assert "repeating words it already used" in explain(echo, limit=len(FEATURES))


def test_an_acronym_speaker_the_passage_names_is_the_right_speaker() -> None:
    """ "the UN said" in a passage that gives the words to the UN is not a wrong speaker; the EU is."""
    from toolkit import load_articles, verify

    src = [
        {
            "title": "UN report",
            "text": "The quake left exactly 222,570 deaths and 310,000 injured, the UN said.",
        }
    ]
    (right,) = verify(
        "The quake left exactly 222,570 deaths, the UN said. [S1:1]", load_articles(src)
    ).sentences
    (wrong,) = verify(
        "The quake left exactly 222,570 deaths, the EU said. [S1:1]", load_articles(src)
    ).sentences
    assert right.status == "supported", right.reason
    assert wrong.status != "supported" and "EU as the speaker" in wrong.reason, wrong.reason
